#!/usr/bin/env bash
# The one GPU training run, from the repository root:
#     bash models/train/run_gpu.sh "$OUT"
# 1. builds the train split in $SPV_WORK (default /tmp/spv_gpu) under a time budget, 16 workers;
# 2. trains the U-Net, the single-view RVAE and the dual-view RVAE IN PARALLEL on the one GPU,
#    each with the time that is left (the whole script ends within SPV_TOTAL_S, default 500 s);
# 3. leaves in $OUT (5 files, each < 15 MB): unet.pt, rvae_single.pt, rvae_dual.pt (weights-only
#    state_dicts + meta, loadable by torch 1.13), train_summary.npz (train volumes, lengths and
#    RVAE latents, for calibrate), run.log (everything printed).
# The weights in $OUT are refreshed at every checkpoint, so a run killed at its limit still
# returns usable (if shorter-trained) models. Then, on the CPU box:
#     cd models/train && python3 -m spv_train.finish --checkpoints DIR_WITH_THOSE_FILES
# Knobs (environment): SPV_TOTAL_S, SPV_TRAIN_N, SPV_DATA_S, SPV_WORKERS, SPV_DEVICE, SPV_WORK,
# SPV_EPOCHS (cap on epochs, default: time-bound), PYTHON.
set -uo pipefail

OUT="${1:?usage: bash models/train/run_gpu.sh OUT_DIR}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
cd "$(dirname "$0")" || exit 1 # models/train: spv_train is importable from here

START=$(date +%s)
TOTAL_S=${SPV_TOTAL_S:-500}
TRAIN_N=${SPV_TRAIN_N:-10000}
DATA_S=${SPV_DATA_S:-170}
WORKERS=${SPV_WORKERS:-16}
DEVICE=${SPV_DEVICE:-auto}
WORK=${SPV_WORK:-/tmp/spv_gpu}
EPOCHS=${SPV_EPOCHS:-100000}
# Seconds kept back from training for start-up, the U-Net's letterbox cache, the final encoding
# of training latents and the summary.
RESERVE_S=${SPV_RESERVE_S:-75}
PY=${PYTHON:-python3}
LOG="$OUT/run.log"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

say() { echo "[run_gpu $(date +%H:%M:%S) +$(($(date +%s) - START))s] $*" | tee -a "$LOG"; }

say "start: total budget ${TOTAL_S}s, train split up to ${TRAIN_N} shapes in ${DATA_S}s, work dir $WORK"
say "stack: $($PY -c 'import sys, torch, numpy; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available(), "numpy", numpy.__version__)' 2>&1)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader | tee -a "$LOG"

say "1/3 building the train split"
if ! $PY -m spv_train.build_budget --out "$WORK/data" --split train --n "$TRAIN_N" \
  --max-seconds "$DATA_S" --workers "$WORKERS" 2>&1 | tee -a "$LOG"; then
  say "FAILED: building the train split"
  exit 1
fi

ELAPSED=$(($(date +%s) - START))
MINUTES=$($PY -c "print(round(max(0.2, ($TOTAL_S - $ELAPSED - $RESERVE_S) / 60), 2))")
say "2/3 training U-Net, RVAE single and RVAE dual in parallel, ${MINUTES} min each"

train() { # name, then the module and its arguments; lines prefixed with the name in run.log
  local name=$1
  shift
  $PY -m "$@" 2>&1 | sed -u "s/^/[$name] /" >>"$LOG"
  local rc=${PIPESTATUS[0]}
  say "$name finished with exit code $rc"
}
train unet spv_train.train_unet --data "$WORK/data" --run-dir "$WORK/runs/unet" \
  --max-minutes "$MINUTES" --epochs "$EPOCHS" --batch 64 --device "$DEVICE" \
  --checkpoint-every 1000 --publish "$OUT/unet.pt" &
P1=$!
train rvae_single spv_train.train_rvae --mode single --data "$WORK/data" --run-dir "$WORK/runs/rvae_single" \
  --max-minutes "$MINUTES" --epochs "$EPOCHS" --batch 128 --device "$DEVICE" \
  --checkpoint-every 1000 --publish "$OUT/rvae_single.pt" &
P2=$!
train rvae_dual spv_train.train_rvae --mode dual --data "$WORK/data" --run-dir "$WORK/runs/rvae_dual" \
  --max-minutes "$MINUTES" --epochs "$EPOCHS" --batch 128 --device "$DEVICE" \
  --checkpoint-every 1000 --publish "$OUT/rvae_dual.pt" &
P3=$!
# Show the lead where training is while it runs (the last progress line of each model).
while kill -0 "$P1" 2>/dev/null || kill -0 "$P2" 2>/dev/null || kill -0 "$P3" 2>/dev/null; do
  sleep "${SPV_MONITOR_S:-30}"
  for name in unet rvae_single rvae_dual; do
    grep "^\[$name\]" "$LOG" | tail -n 1
  done
done &
MONITOR=$!
wait "$P1" "$P2" "$P3"
kill "$MONITOR" 2>/dev/null

say "3/3 packing the train summary"
$PY -m spv_train.summary --data "$WORK/data" --runs "$WORK/runs" --out "$OUT/train_summary.npz" 2>&1 | tee -a "$LOG"
ls -la "$OUT" | tee -a "$LOG"
say "done in $(($(date +%s) - START))s"
