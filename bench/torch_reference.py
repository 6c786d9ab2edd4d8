"""PyTorch reference timings for `npm run bench` (bench/run.ts): the same networks as the shipped ONNX
graphs, run by PyTorch on the CPU with the same thread count, so that onnxruntime's speed-up can be
stated side by side.

The modules are the training engineer's `spv_train.nets` (U-Net, RVAE encoder/head), built with the
architecture read from the ONNX files (U-Net base width). Weights come from the checkpoints when a
checkpoint folder is given (or found at models/train/checkpoints); otherwise they are freshly
initialised — the cost of a forward pass does not depend on the weight values, only on the graph.

Prints one JSON object: {"torch": version, "threads": n, "weights": "...", "stages": {name: {"median_ms", "p95_ms"}}}.
Exits 3 with a message on stderr when torch or the package cannot be imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


HEAD_REPEATS, HEAD_WARMUP = 2000, 200  # as in bench/run.ts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeats: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": percentile(samples, 0.5), "p95_ms": percentile(samples, 0.95)}


def unet_base(onnx_path: Path) -> int:
    """Output channels of the U-Net's first convolution, read from the exported graph."""
    import onnx

    model = onnx.load(str(onnx_path))
    weights = {init.name: init for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Conv" and len(node.input) > 1 and node.input[1] in weights:
            return int(weights[node.input[1]].dims[0])
    raise RuntimeError(f"{onnx_path}: no Conv with an initializer weight")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=str(ROOT / "models"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--checkpoints", default=None)
    args = parser.parse_args()

    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    try:
        import torch
    except ImportError as error:
        print(f"torch is not installed here ({error})", file=sys.stderr)
        return 3
    sys.path.insert(0, str(ROOT / "models" / "train"))
    try:
        from spv_train.nets import RVAE, UNet
    except ImportError as error:
        print(f"spv_train.nets cannot be imported ({error})", file=sys.stderr)
        return 3

    torch.set_num_threads(args.threads)
    models = Path(args.models)
    manifest = json.loads((models / "manifest.json").read_text())
    size = manifest["segmenter"]["input_size"]
    grid = manifest["grid"]["size"]

    unet = UNet(base=unet_base(models / manifest["segmenter"]["file"]))
    rvae = {mode: RVAE(len(manifest["rvae"][mode]["channels"])) for mode in ("single", "dual") if mode in manifest["rvae"]}
    weights = "freshly initialised (same graphs; timing does not depend on weight values)"
    checkpoints = Path(args.checkpoints) if args.checkpoints else ROOT / "models" / "train" / "checkpoints"
    if (checkpoints / "unet.pt").exists():
        from spv_train import infer

        loaded = infer.load_models(checkpoints)
        unet, rvae = loaded.unet, loaded.rvae
        weights = f"trained checkpoints from {checkpoints}"
    unet.eval()
    for model in rvae.values():
        model.eval()

    image = torch.zeros(1, 1, size, size)
    d = manifest["rvae"]["single"]["latent_dim"]
    stages = {}
    with torch.no_grad():
        stages["segment (U-Net)"] = timed(lambda: unet(image), args.repeats)
        for mode, model in rvae.items():
            channels = len(manifest["rvae"][mode]["channels"])
            g = torch.rand(1, channels, grid, grid)
            z = torch.randn(args.samples + 1, d)
            stages[f"encode ({mode})"] = timed(lambda: model.encoder(g), args.repeats)
            # Microseconds a call: timed at steady state, as bench/run.ts times it (HEAD_REPEATS, HEAD_WARMUP).
            stages[f"head K={args.samples} ({mode})"] = timed(lambda: model.head(z), HEAD_REPEATS, HEAD_WARMUP)
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "weights": weights, "stages": stages}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
