"""The small file that travels back from a training run beside the weights: what calibrate.py
needs from the train split without the split itself (it stays on the GPU box).

    python3 -m spv_train.summary --data DIR --runs DIR --out FILE.npz

Holds the train split's volumes and measured lengths (the length-only regression is fitted on
them), and each RVAE's training latents (mu, logvar, volume) for the latent PCA, cloud and
distance threshold.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .common import load_split, log

SCALARS = ["volume_ml", "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm", "spacing_cor", "spacing_tr"]


def pack(data_dir: Path, runs_dir: Path, out: Path) -> Path:
    arrays = {f"train_{k}": v for k, v in load_split(data_dir, "train", SCALARS).items()}
    for mode in ("single", "dual"):
        path = runs_dir / f"rvae_{mode}" / "latents.npz"
        if not path.exists():
            log(f"summary: {path} missing (that run did not finish); calibrate will rebuild latents")
            continue
        with np.load(path) as blob:
            for key in blob.files:
                arrays[f"{mode}_{key}"] = blob[key]
    np.savez_compressed(out, **arrays)
    log(f"summary: wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(arrays)} arrays)")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--runs", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    pack(args.data, args.runs, args.out)


if __name__ == "__main__":
    main()
