#!/usr/bin/env bash
# The one GPU training run, from the repository root:
#     bash models/train/run_gpu.sh "$OUT"
# 1. builds two train splits in $SPV_WORK (default /tmp/spv_gpu) at once, each under a time budget:
#    images + masks for the U-Net ($SPV_WORK/img) and, without the simulator (many times faster,
#    so many more shapes), masks for the RVAEs ($SPV_WORK/masks). Same shape seeds in both;
# 2. trains the single-view and dual-view RVAEs as soon as their split is ready and the U-Net as
#    soon as its split is, IN PARALLEL on the one GPU, each for the time that is left (the whole
#    script ends within SPV_TOTAL_S, default 500 s). With SPV_INIT=DIR holding unet.pt,
#    rvae_single.pt and rvae_dual.pt from an earlier run, each model is fine-tuned from those
#    weights (the RVAEs keep their volume scaling and skip the VAE pre-training);
# 3. leaves in $OUT (5 files, each < 15 MB): unet.pt, rvae_single.pt, rvae_dual.pt (weights-only
#    state_dicts + meta, loadable by torch 1.13), train_summary.npz (train volumes, lengths and
#    RVAE latents, for calibrate), run.log (everything printed).
# The weights in $OUT are refreshed at every checkpoint, so a run killed at its limit still
# returns usable (if shorter-trained) models. Then, on the CPU box:
#     cd models/train && python3 -m spv_train.finish --checkpoints DIR_WITH_THOSE_FILES
# Knobs (environment): SPV_TOTAL_S, SPV_IMG_N, SPV_IMG_S, SPV_IMG_WORKERS, SPV_MASK_N, SPV_MASK_S,
# SPV_MASK_WORKERS, SPV_IMG_SEED and SPV_MASK_SEED (dataset seeds of the two splits, default 1;
# pick fresh ones when fine-tuning so the new shapes were never trained on), SPV_INIT, SPV_DEVICE,
# SPV_WORK, SPV_EPOCHS (cap on epochs, default: time-bound), SPV_UNET_LR, SPV_RVAE_LR,
# SPV_UNET_LOOK (share of U-Net batches with a randomised look, default 0.5), SPV_UNET_RENDER
# (share with randomised resolution and grey map, augment.randomize_rendering; default 0.5, as in
# round 7 of the CPU training), SPV_UNET_WIDE (share framed with wider rotation, zoom and shift,
# augment._geometry; default 0), SPV_UNET_TEXTURE (share passed through a random convolution,
# augment.randomize_texture; default 0.5: round 13 on the CPU raised the second-look Dice most with it),
# SPV_PIPELINE_MASKS
# (space-separated .npz files from spv_train.pipeline_masks: U-Net masks mixed into the RVAEs'
# batches, share SPV_PIPELINE_SHARE, default 0.5), SPV_RVAE_MAX_MIN (cap on the RVAEs' minutes, so
# that the U-Net has the GPU to itself for the rest of the budget; default: no cap), SPV_PROBE_MIX
# (share of views imaged with a phased-array sector or a flat linear probe, both splits; default 0,
# the curvilinear probe only), SPV_MASK_FAMILIES (space-separated shape families for the RVAEs'
# split, dataset.SHAPE_FAMILIES: "spleen warped carved" builds one mask split per family, the mask
# workers shared between them, and trains the RVAEs on all; default "spleen", shapes.py only), PYTHON.
set -uo pipefail

OUT="${1:?usage: bash models/train/run_gpu.sh OUT_DIR}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
INIT="${SPV_INIT:-}"
[ -n "$INIT" ] && INIT="$(cd "$INIT" && pwd)"
PIPELINE=() # absolute paths: the script changes directory below
for f in ${SPV_PIPELINE_MASKS:-}; do
  [ -f "$f" ] || { echo "SPV_PIPELINE_MASKS: $f is not a file" >&2; exit 1; }
  PIPELINE+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
cd "$(dirname "$0")" || exit 1 # models/train: spv_train is importable from here

START=$(date +%s)
TOTAL_S=${SPV_TOTAL_S:-500}
IMG_N=${SPV_IMG_N:-10000}
IMG_S=${SPV_IMG_S:-170}
IMG_WORKERS=${SPV_IMG_WORKERS:-10}
MASK_N=${SPV_MASK_N:-20000}
MASK_S=${SPV_MASK_S:-100}
MASK_WORKERS=${SPV_MASK_WORKERS:-6}
IMG_SEED=${SPV_IMG_SEED:-1}
MASK_SEED=${SPV_MASK_SEED:-1}
PROBE_MIX=${SPV_PROBE_MIX:-0}
DEVICE=${SPV_DEVICE:-auto}
WORK=${SPV_WORK:-/tmp/spv_gpu}
EPOCHS=${SPV_EPOCHS:-100000}
# Seconds kept back from training for the final encoding of training latents and the summary.
RESERVE_S=${SPV_RESERVE_S:-45}
PY=${PYTHON:-python3}
LOG="$OUT/run.log"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

say() { echo "[run_gpu $(date +%H:%M:%S) +$(($(date +%s) - START))s] $*" | tee -a "$LOG"; }
minutes_left() { $PY -c "print(round(max(0.2, ($TOTAL_S - ($(date +%s) - $START) - $RESERVE_S) / 60), 2))"; }

say "start: total budget ${TOTAL_S}s; U-Net split up to ${IMG_N} shapes in ${IMG_S}s (${IMG_WORKERS} workers, seed $IMG_SEED); RVAE split up to ${MASK_N} shapes in ${MASK_S}s (${MASK_WORKERS} workers, seed $MASK_SEED, families ${SPV_MASK_FAMILIES:-spleen}); probe mix $PROBE_MIX; init ${INIT:-none}; pipeline masks: ${PIPELINE[*]:-none}; work dir $WORK"
say "stack: $($PY -c 'import sys, torch, numpy; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available(), "numpy", numpy.__version__)' 2>&1)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader | tee -a "$LOG"

say "1/3 building the train splits"
build() { # name, then build_budget's arguments
  local name=$1
  shift
  $PY -m spv_train.build_budget --split train "$@" 2>&1 | sed -u "s/^/[$name] /" | tee -a "$LOG"
  return "${PIPESTATUS[0]}"
}
build data_img --out "$WORK/img" --n "$IMG_N" --max-seconds "$IMG_S" --workers "$IMG_WORKERS" --seed "$IMG_SEED" --probe-mix "$PROBE_MIX" &
BUILD_IMG=$!
# The RVAEs' split: one per shape family, the mask workers shared between them. The first family's
# split is $WORK/masks (the train summary's lengths come from it); the others $WORK/masks_FAMILY.
read -r -a MASK_FAMILIES <<<"${SPV_MASK_FAMILIES:-spleen}"
FAMILY_WORKERS=$((MASK_WORKERS / ${#MASK_FAMILIES[@]}))
[ "$FAMILY_WORKERS" -lt 1 ] && FAMILY_WORKERS=1
MASK_DIRS=()
BUILD_MASKS=()
for family in "${MASK_FAMILIES[@]}"; do
  name=data_masks dir="$WORK/masks"
  [ ${#MASK_DIRS[@]} -gt 0 ] && name="data_masks_$family" dir="$WORK/masks_$family"
  build "$name" --out "$dir" --n "$MASK_N" --max-seconds "$MASK_S" --workers "$FAMILY_WORKERS" \
    --seed "$MASK_SEED" --probe-mix "$PROBE_MIX" --masks-only --family "$family" &
  BUILD_MASKS+=($!)
  MASK_DIRS+=("$dir")
done

train() { # name, then the module and its arguments; lines prefixed with the name in run.log
  local name=$1
  shift
  $PY -m "$@" 2>&1 | sed -u "s/^/[$name] /" >>"$LOG"
  local rc=${PIPESTATUS[0]}
  say "$name finished with exit code $rc"
}
init_args() { [ -n "$INIT" ] && echo "--init-from $INIT/$1.pt"; }
RVAE_EXTRA=()
[ -n "$INIT" ] && RVAE_EXTRA+=(--pretrain 0)
[ ${#PIPELINE[@]} -gt 0 ] && RVAE_EXTRA+=(--pipeline-masks "${PIPELINE[@]}" --pipeline-share "${SPV_PIPELINE_SHARE:-0.5}")

for pid in "${BUILD_MASKS[@]}"; do
  if ! wait "$pid"; then
    say "FAILED: building the RVAE split"
    exit 1
  fi
done
MINUTES=$(minutes_left)
[ -n "${SPV_RVAE_MAX_MIN:-}" ] && MINUTES=$($PY -c "print(min($MINUTES, $SPV_RVAE_MAX_MIN))")
say "2/3 training RVAE single and RVAE dual in parallel, ${MINUTES} min each"
for mode in single dual; do
  # shellcheck disable=SC2046 # init_args expands to separate arguments on purpose
  train "rvae_$mode" spv_train.train_rvae --mode "$mode" --data "${MASK_DIRS[@]}" --run-dir "$WORK/runs/rvae_$mode" \
    --max-minutes "$MINUTES" --epochs "$EPOCHS" --batch 128 --device "$DEVICE" --lr "${SPV_RVAE_LR:-1e-3}" \
    --checkpoint-every 1000 --publish "$OUT/rvae_$mode.pt" $(init_args "rvae_$mode") "${RVAE_EXTRA[@]}" &
done

if ! wait "$BUILD_IMG"; then
  say "FAILED: building the U-Net split"
  exit 1
fi
MINUTES=$(minutes_left)
say "2/3 training the U-Net, ${MINUTES} min"
# shellcheck disable=SC2046
train unet spv_train.train_unet --data "$WORK/img" --run-dir "$WORK/runs/unet" \
  --max-minutes "$MINUTES" --epochs "$EPOCHS" --batch 64 --device "$DEVICE" --lr "${SPV_UNET_LR:-2e-3}" \
  --look-aug "${SPV_UNET_LOOK:-0.5}" --render-aug "${SPV_UNET_RENDER:-0.5}" \
  --wide-geometry "${SPV_UNET_WIDE:-0}" --texture-aug "${SPV_UNET_TEXTURE:-0.5}" \
  --checkpoint-every 1000 --publish "$OUT/unet.pt" $(init_args unet) &

# Show the lead where training is while it runs (the last progress line of each model).
while [ -n "$(jobs -r)" ]; do
  sleep "${SPV_MONITOR_S:-15}"
  for name in unet rvae_single rvae_dual; do
    grep "^\[$name\]" "$LOG" | tail -n 1
  done
done
wait

say "3/3 packing the train summary"
$PY -m spv_train.summary --data "$WORK/masks" --runs "$WORK/runs" --out "$OUT/train_summary.npz" 2>&1 | tee -a "$LOG"
ls -la "$OUT" | tee -a "$LOG"
say "done in $(($(date +%s) - START))s"
