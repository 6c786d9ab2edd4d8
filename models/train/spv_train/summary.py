"""The small file that travels back from a training run beside the weights: what calibrate.py
needs from the train split without the split itself (it stays on the GPU box).

    python3 -m spv_train.summary --data DIR --runs DIR --out FILE.npz
    python3 -m spv_train.summary --base OLD.npz --runs DIR --out FILE.npz   # after fine-tuning one RVAE

Holds the train split's volumes and measured lengths (the length-only regression is fitted on
them), and each RVAE's training latents (mu, logvar, volume) for the latent PCA, cloud and
distance threshold. With --base, an earlier summary is the starting point and only what --runs
(and --data, if given) hold replaces its arrays: fine-tuning one RVAE elsewhere keeps the train
split's lengths and the other RVAE's latents.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .common import load_split, log

SCALARS = ["volume_ml", "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm", "spacing_cor", "spacing_tr"]


def pack(data_dir: Path | None, runs_dir: Path, out: Path, base: Path | None = None) -> Path:
    arrays: dict[str, np.ndarray] = {}
    if base is not None:
        with np.load(base) as blob:
            arrays.update({k: blob[k] for k in blob.files})
    if data_dir is not None:
        arrays.update({f"train_{k}": v for k, v in load_split(data_dir, "train", SCALARS).items()})
    if not any(k.startswith("train_") for k in arrays):
        raise SystemExit("summary: give --data (the train split) or --base (an earlier summary)")
    for mode in ("single", "dual"):
        path = runs_dir / f"rvae_{mode}" / "latents.npz"
        if not path.exists():
            kept = "kept from --base" if any(k.startswith(f"{mode}_") for k in arrays) else "calibrate will rebuild them"
            log(f"summary: {path} missing (that run did not finish, or was not run); {mode} latents {kept}")
            continue
        with np.load(path) as blob:
            for key in blob.files:
                arrays[f"{mode}_{key}"] = blob[key]
    np.savez_compressed(out, **arrays)
    log(f"summary: wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {len(arrays)} arrays)")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--runs", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, default=None, help="an earlier train_summary.npz to start from")
    args = ap.parse_args(argv)
    pack(args.data, args.runs, args.out, args.base)


if __name__ == "__main__":
    main()
