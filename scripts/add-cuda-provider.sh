#!/usr/bin/env bash
# Adds onnxruntime-node's CUDA execution provider on a Linux x64 machine with an NVIDIA GPU.
#
# Why: onnxruntime-node does not bundle its CUDA provider libraries (too large for npm); its install
# step downloads them from NuGet. This repository's .npmrc sets `onnxruntime-node-install=skip` so
# that offline installs work, which also skips that download. This script re-runs the package's own
# install step with the skip lifted and the CUDA 12 manifest named explicitly.
#
# Needs: network access to the NuGet feed (api.nuget.org), and on the machine the NVIDIA driver with
# the CUDA 12 runtime and cuDNN 9 libraries on the loader path (e.g. LD_LIBRARY_PATH).
#
# Usage (from the repository root):   bash scripts/add-cuda-provider.sh
# Then check:                         npx spv estimate   (the "Provider" line says cuda)
set -euo pipefail

cd "$(dirname "$0")/.."
if [[ "$(uname -s)" != "Linux" || "$(uname -m)" != "x86_64" ]]; then
  echo "add-cuda-provider: the CUDA provider of onnxruntime-node exists for Linux x64 only." >&2
  exit 2
fi

ort_dir="node_modules/onnxruntime-node"
if [[ ! -f "$ort_dir/script/install.js" ]]; then
  echo "add-cuda-provider: $ort_dir is missing; run npm ci first." >&2
  exit 2
fi

# The environment variable wins over .npmrc's skip (see $ort_dir/script/install-utils.js,
# parseInstallFlag); naming "cuda12" forces the download even if some files are already present.
ONNXRUNTIME_NODE_INSTALL=cuda12 node "$ort_dir/script/install.js"

bin_dir="$ort_dir/bin/napi-v6/linux/x64"
for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so; do
  if [[ ! -f "$bin_dir/$lib" ]]; then
    echo "add-cuda-provider: $bin_dir/$lib was not installed; see the messages above." >&2
    exit 1
  fi
done
echo "add-cuda-provider: CUDA provider files installed in $bin_dir."

# Prove it: open the segmenter on CUDA alone (no CPU fallback here) when the models are installed.
if [[ -f models/manifest.json ]]; then
  node -e '
    const ort = require("onnxruntime-node");
    const m = require("./models/manifest.json");
    ort.InferenceSession.create("models/" + m.segmenter.file, { executionProviders: ["cuda"] })
      .then(() => console.log("add-cuda-provider: the segmenter opens on CUDA."))
      .catch((e) => { console.error("add-cuda-provider: CUDA files present but a session failed: " + e.message +
        "\n  check the NVIDIA driver, CUDA 12 and cuDNN 9 libraries (LD_LIBRARY_PATH)."); process.exit(1); });'
fi
