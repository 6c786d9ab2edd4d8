"""Build a split under a wall-clock budget (the GPU box has a hard per-command time limit).

    python3 -m spv_train.build_budget --out DIR --split train --n 10000 --max-seconds 150 --workers 16

Same cases and the same npz/csv layout as ``spv_train.dataset.build`` (the data engineer's
interface), but generation stops when --max-seconds have passed and the split holds however many
shapes were finished by then (the shapes are the first ones by seed, so the split is still
deterministic given its size). Shape and view seeds follow dataset.build exactly
(dataset.shape_seeds(split, n, seed), view seed = seed·1000), so a budgeted split is a prefix of
the split dataset.build would write with the same arguments. --masks-only skips the simulator
(as dataset.build --masks-only): identical masks and lengths, no images, many times faster.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import SPLIT_SEED_BASE


def log(message: str) -> None:
    """Like common.log, repeated here so the builder never imports torch: the workers are forked,
    and forking a process that has started torch's threads can deadlock."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

FAMILIES = ("spleen", "warped", "carved")
SCALARS = ["volume_ml", "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm"]


def _init_worker() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _one(job: tuple[int, int, bool, float, str]) -> dict:
    from .dataset import make_case, probe_codes  # imported in the worker: keeps the parent light

    shape_seed, view_seed, images, probe_mix, family = job
    try:
        case = make_case(shape_seed, view_seed, images=images, probe_mix=probe_mix, family=family)
    except ValueError as error:  # a massive spleen no view plane of the simulator holds (views.py)
        return {"shape_id": shape_seed, "skipped": str(error)}
    lengths = case["lengths_cm"]
    pictures = (
        {"img_cor": case["coronal"]["image"], "img_tr": case["transverse"]["image"]} if images else {}
    )
    return {
        "shape_id": shape_seed,
        **pictures,
        "mask_cor": case["coronal"]["mask"].astype(np.uint8),
        "mask_tr": case["transverse"]["mask"].astype(np.uint8),
        "spacing_cor": case["coronal"]["spacing_mm"],
        "spacing_tr": case["transverse"]["spacing_mm"],
        "volume_ml": case["volume_ml"],
        "length_cm": lengths["length"],
        "width_cm": lengths["width"],
        "thickness_cm": lengths["thickness"],
        "craniocaudal_cm": lengths["craniocaudal"],
        **probe_codes(case),
    }


def build_budget(
    out_dir: Path, split: str, n_shapes: int, max_seconds: float, workers: int, seed: int = 1,
    images: bool = True, probe_mix: float = 0.0, family: str = "spleen",
) -> Path:
    from .dataset import shape_seeds

    out_dir.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in shape_seeds(split, n_shapes, seed)]
    t0 = time.time()
    done: dict[int, dict] = {}
    last_report = t0
    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    pool = ctx.Pool(workers, initializer=_init_worker)
    try:
        jobs = [(s, seed * 1000, images, probe_mix, family) for s in seeds]
        for case in pool.imap_unordered(_one, jobs, chunksize=2 if images else 16):
            done[case["shape_id"]] = case
            now = time.time()
            if now - last_report > 10 or len(done) == n_shapes:
                rate = len(done) / (now - t0)
                log(f"build {split}: {len(done)}/{n_shapes} shapes, {rate:.1f}/s, "
                    f"eta {(n_shapes - len(done)) / max(rate, 1e-9):.0f}s (budget {max_seconds:.0f}s)")
                last_report = now
            if now - t0 > max_seconds:
                log(f"build {split}: time budget reached with {len(done)} shapes")
                break
    finally:
        pool.terminate()
        pool.join()
    # Keep the longest gap-free prefix of seeds so the split is reproducible from its size alone. A
    # seed the simulator could not image is part of the prefix but holds no case.
    kept, skipped = [], []
    for seed in seeds:
        if seed not in done:
            break
        if "skipped" in done[seed]:
            skipped.append(done[seed])
        else:
            kept.append(done[seed])
    for case in skipped:
        log(f"build {split}: skipped shape {case['shape_id']}: {case['skipped']}")
    if not kept:
        raise SystemExit(f"build {split}: no shape finished within {max_seconds}s")
    arrays = {
        key: np.stack([c[key] for c in kept])
        for key in (("img_cor", "mask_cor", "img_tr", "mask_tr") if images else ("mask_cor", "mask_tr"))
    }
    for key in ("spacing_cor", "spacing_tr", *SCALARS):
        arrays[key] = np.array([c[key] for c in kept], dtype=np.float32)
    arrays["shape_id"] = np.array([c["shape_id"] for c in kept], dtype=np.int64)
    arrays["family"] = np.array(family)  # the shape generator (dataset.SHAPE_FAMILIES); common.split_family
    for key in ("probe_cor", "probe_tr"):  # index into ultrasound.PROBE_FAMILIES
        arrays[key] = np.array([c[key] for c in kept], dtype=np.int8)
    path = out_dir / f"{split}.npz"
    np.savez(path, **arrays)
    with open(out_dir / f"{split}.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        columns = ["shape_id", "spacing_cor", "spacing_tr", *SCALARS]
        writer.writerow(columns)
        for k in range(len(kept)):
            writer.writerow([arrays[c][k] for c in columns])
    log(f"build {split}: wrote {len(kept)} cases to {path} in {time.time() - t0:.0f}s")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--split", default="train", choices=sorted(SPLIT_SEED_BASE))
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, default=150)
    ap.add_argument("--seed", type=int, default=1, help="as dataset.build's seed")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--masks-only", action="store_true",
                    help="skip the simulator (the RVAEs need masks, lengths and volumes only)")
    ap.add_argument("--probe-mix", type=float, default=0.0,
                    help="share of views imaged with a phased-array sector or a flat linear probe "
                         "(dataset.probe_family; 0: all curvilinear, the same cases as before)")
    # dataset.SHAPE_FAMILIES's names, written out so that the parent never imports the generators (pytest checks).
    ap.add_argument("--family", default="spleen", choices=FAMILIES,
                    help="shape generator (dataset.SHAPE_FAMILIES): shapes.py, warpshapes.py or carveshapes.py")
    args = ap.parse_args(argv)
    build_budget(args.out, args.split, args.n, args.max_seconds, args.workers, args.seed,
                 images=not args.masks_only, probe_mix=args.probe_mix, family=args.family)


if __name__ == "__main__":
    main()
