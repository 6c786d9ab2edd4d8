"""The U-Net's own masks on a train split, for training the RVAEs on what the pipeline feeds them.

    python3 -m spv_train.pipeline_masks --data DIR [--split train] --unet CKPT.pt --out FILE.npz

At test time the RVAE sees U-Net masks (PIPELINE §2–§3: letterbox, U-Net, threshold, largest
component, holes filled), not ground truth. The perturbations in augment.perturb_masks imitate
segmentation error only roughly: the released single-view RVAE lost 3.8 points of MRVA between
ground-truth and U-Net masks although the U-Net's masks were unbiased in area (median ratio
0.999), i.e. it was sensitive to the U-Net's particular errors. This writes the real thing, run
over images the U-Net was not trained on, so train_rvae --pipeline-masks can mix it in.

Use a split the U-Net never saw (a fresh --seed in build_budget): on its own training images the
U-Net is better than on new ones, and the RVAE would learn too kind an error model.

Writes mask_cor, mask_tr (uint8, original image size), spacing_*, volume_ml, shape_id and the
per-view Dice against ground truth (dice_cor, dice_tr), so the error level is on record.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from . import common, infer
from .evaluate import dice

KEYS = ["img_cor", "mask_cor", "img_tr", "mask_tr", "spacing_cor", "spacing_tr", "volume_ml", "shape_id"]


def pipeline_masks(data_dir: Path, split: str, unet_ckpt: Path, out: Path) -> Path:
    data = common.load_split(data_dir, split, KEYS)
    unet, _ = infer.load_unet(unet_ckpt)
    arrays: dict[str, np.ndarray] = {}
    for view in ("cor", "tr"):
        masks = infer.segment(unet, data[f"img_{view}"])
        scores = np.array([dice(a, b) for a, b in zip(masks, data[f"mask_{view}"])], dtype=np.float32)
        arrays[f"mask_{view}"] = masks
        arrays[f"dice_{view}"] = scores
        common.log(f"pipeline masks {view}: {len(masks)} cases, Dice mean {scores.mean():.4f}, "
                   f"below 0.9: {int((scores < 0.9).sum())}")
    for key in ("spacing_cor", "spacing_tr", "volume_ml", "shape_id"):
        arrays[key] = data[key]
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays, unet=np.array(str(unet_ckpt)))
    common.log(f"pipeline masks: wrote {out}")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--split", default="train")
    ap.add_argument("--unet", type=Path, required=True, help="a published unet.pt")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: $SPV_THREADS or 1)")
    args = ap.parse_args(argv)
    common.set_threads(args.threads)
    pipeline_masks(args.data, args.split, args.unet, args.out)


if __name__ == "__main__":
    main()
