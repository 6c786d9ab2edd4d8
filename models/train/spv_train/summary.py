"""The small file that travels back from a training run beside the weights: what calibrate.py
needs from the train split without the split itself (it stays on the GPU box).

    python3 -m spv_train.summary --data DIR --runs DIR --out FILE.npz
    python3 -m spv_train.summary --base OLD.npz --runs DIR --out FILE.npz   # after fine-tuning one RVAE
    python3 -m spv_train.summary --data DIR --checkpoints DIR --out FILE.npz  # weights without their run

Holds the train split's volumes and measured lengths (the length-only regression is fitted on
them), and each RVAE's training latents (mu, logvar, volume) for the latent PCA, cloud and
distance threshold. With --base, an earlier summary is the starting point and only what --runs
(and --data, if given) hold replaces its arrays: fine-tuning one RVAE elsewhere keeps the train
split's lengths and the other RVAE's latents. With --checkpoints instead of --runs, the latents are
encoded here from the published rvae_single.pt and rvae_dual.pt in that folder on the --data split
(the cases train_rvae would have chosen): for weights whose training run is gone, such as the
release rebuilt by from_onnx.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .common import holdout_split, load_split, log

SCALARS = ["volume_ml", "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm", "spacing_cor", "spacing_tr"]


def encoded_latents(data_dir: Path, checkpoints: Path) -> dict[str, np.ndarray]:
    """{mode}_{mu,logvar,volume_ml,index} of the published RVAEs in `checkpoints` on the train
    split in `data_dir`, as train_rvae writes them at the end of a run."""
    import torch

    from .infer import load_rvae
    from .train_rvae import VIEWS, GridSource, train_latents

    # One read of the split serves both modes (the dual view's arrays include the single view's).
    keys = ["volume_ml"] + [f"{kind}_{v}" for kind in ("mask", "spacing") for v in VIEWS["dual"]]
    data = load_split(data_dir, "train", keys)
    train_idx, _ = holdout_split(len(data["volume_ml"]))
    cpu = torch.device("cpu")
    arrays: dict[str, np.ndarray] = {}
    for mode, views in VIEWS.items():
        model, _ = load_rvae(checkpoints / f"rvae_{mode}.pt", len(views))
        latents = train_latents(model, GridSource(data, views, cpu), data["volume_ml"], train_idx, cpu)
        arrays.update({f"{mode}_{key}": value for key, value in latents.items()})
        log(f"summary: encoded {len(latents['mu'])} {mode} train latents with {checkpoints / f'rvae_{mode}.pt'}")
    return arrays


def pack(data_dir: Path | None, runs_dir: Path | None, out: Path, base: Path | None = None,
         checkpoints: Path | None = None) -> Path:
    arrays: dict[str, np.ndarray] = {}
    if base is not None:
        with np.load(base) as blob:
            arrays.update({k: blob[k] for k in blob.files})
    if data_dir is not None:
        arrays.update({f"train_{k}": v for k, v in load_split(data_dir, "train", SCALARS).items()})
    if not any(k.startswith("train_") for k in arrays):
        raise SystemExit("summary: give --data (the train split) or --base (an earlier summary)")
    if checkpoints is not None:
        if data_dir is None:
            raise SystemExit("summary: --checkpoints needs --data (the train split to encode)")
        arrays.update(encoded_latents(data_dir, checkpoints))
    for mode in ("single", "dual") if runs_dir is not None else ():
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
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--runs", type=Path, help="a run folder holding rvae_{single,dual}/latents.npz")
    source.add_argument("--checkpoints", type=Path, help="a folder holding rvae_{single,dual}.pt to encode --data with")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, default=None, help="an earlier train_summary.npz to start from")
    args = ap.parse_args(argv)
    pack(args.data, args.runs, args.out, args.base, args.checkpoints)


if __name__ == "__main__":
    main()
