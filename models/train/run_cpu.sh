#!/usr/bin/env bash
# The CPU fallback of run_gpu.sh, for a small box, in the background and resumable:
#     nohup bash models/train/run_cpu.sh [OUT_DIR] > models/train/runs/cpu.log 2>&1 &
# Same steps and the same files in OUT_DIR (default models/train/runs/cpu) as run_gpu.sh, with
# smaller sizes and the three trainers one after another (two cores cannot feed three at once).
# Killed and started again, it keeps the built split and resumes each trainer from its latest
# checkpoint (elapsed time counts against each --max-minutes budget).
# Knobs: SPV_TRAIN_N (default 600), SPV_DATA_S (1800), SPV_WORKERS (2), SPV_UNET_MIN (30),
# SPV_RVAE_MIN (15 each), SPV_WORK (models/train/runs/cpu_work), PYTHON (/usr/bin/python3).
set -uo pipefail

cd "$(dirname "$0")" || exit 1 # models/train
OUT="${1:-runs/cpu}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
WORK=${SPV_WORK:-runs/cpu_work}
mkdir -p "$WORK" && WORK="$(cd "$WORK" && pwd)"
TRAIN_N=${SPV_TRAIN_N:-600}
DATA_S=${SPV_DATA_S:-1800}
WORKERS=${SPV_WORKERS:-2}
UNET_MIN=${SPV_UNET_MIN:-30}
RVAE_MIN=${SPV_RVAE_MIN:-15}
PY=${PYTHON:-/usr/bin/python3}
LOG="$OUT/run.log"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 SPV_THREADS=${SPV_THREADS:-1}
START=$(date +%s)
say() { echo "[run_cpu $(date +%H:%M:%S) +$(($(date +%s) - START))s] $*" | tee -a "$LOG"; }

if [ -f "$WORK/data/train.npz" ]; then
  say "1/3 train split already built: $WORK/data/train.npz"
else
  say "1/3 building the train split (up to $TRAIN_N shapes in ${DATA_S}s, $WORKERS workers)"
  $PY -m spv_train.build_budget --out "$WORK/data" --split train --n "$TRAIN_N" \
    --max-seconds "$DATA_S" --workers "$WORKERS" 2>&1 | tee -a "$LOG" || exit 1
fi

say "2/3 training (one after another; resumes from $WORK/runs/*/checkpoint_latest.pt)"
$PY -m spv_train.train_unet --data "$WORK/data" --run-dir "$WORK/runs/unet" --max-minutes "$UNET_MIN" \
  --epochs 100000 --batch 16 --device cpu --checkpoint-every 50 --publish "$OUT/unet.pt" 2>&1 | tee -a "$LOG" || exit 1
for mode in single dual; do
  $PY -m spv_train.train_rvae --mode "$mode" --data "$WORK/data" --run-dir "$WORK/runs/rvae_$mode" \
    --max-minutes "$RVAE_MIN" --epochs 100000 --batch 32 --perturb 0.5 --device cpu --checkpoint-every 50 \
    --publish "$OUT/rvae_$mode.pt" 2>&1 | tee -a "$LOG" || exit 1
done

say "3/3 packing the train summary"
$PY -m spv_train.summary --data "$WORK/data" --runs "$WORK/runs" --out "$OUT/train_summary.npz" 2>&1 | tee -a "$LOG"
say "done: now  cd models/train && $PY -m spv_train.finish --checkpoints $OUT"
