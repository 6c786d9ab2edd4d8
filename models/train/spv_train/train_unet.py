"""Train the segmentation U-Net on letterboxed coronal and transverse images.

    python3 -m spv_train.train_unet --data DIR [DIR ...] --run-dir DIR [--epochs N] [--max-minutes M]
           [--device auto|cpu|cuda] [--batch 32] [--init-from WEIGHTS.pt]

Resumable: a checkpoint is written every --checkpoint-every steps and at the end; starting again
with the same --run-dir continues from it. Letterboxed tensors are computed once per split and
cached as .npy beside the split (PIPELINE §2; both views go into one training set); several --data
folders (e.g. fresh splits built with other seeds) are concatenated.
Loss: BCE + soft Dice against area-resampled (soft) targets; intensity/geometry augmentation.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import common
from .augment import augment_images
from .nets import UNet, count_weights
from .preprocess import UNET_INPUT_SIZE, area_weights, letterbox_geometry


def letterbox_on_device(
    stack: np.ndarray, device: torch.device, soft_mask: bool, size: int = UNET_INPUT_SIZE
) -> np.ndarray:
    """PIPELINE §2 for N same-sized images [N, H, W] at once, as matrix products on the training
    device (float64; images → g/255 with mean 0, std 1; masks → area fractions). Same numbers as
    preprocess.letterbox; float16 result for the cache."""
    n, height, width = stack.shape
    box = letterbox_geometry(width, height, size)
    ry = torch.from_numpy(area_weights(height, box.nh)).to(device)
    rx = torch.from_numpy(area_weights(width, box.nw)).to(device)
    scale = 1.0 if soft_mask else 1.0 / 255.0
    out = np.zeros((n, size, size), dtype=np.float16)
    for start in range(0, n, 512):
        block = torch.from_numpy(stack[start : start + 512]).to(device).double()
        resized = ((ry @ block @ rx.T) * scale).half().cpu().numpy()
        out[start : start + 512, box.oy : box.oy + box.nh, box.ox : box.ox + box.nw] = resized
    return out


def cached_letterbox(
    data_dir: Path, split: str, device: torch.device, size: int = UNET_INPUT_SIZE
) -> tuple[np.ndarray, np.ndarray]:
    """[2N, S, S] float16 images and soft masks for both views, cached as .npy in data_dir."""
    img_path = data_dir / f"{split}_unet_img{size}.npy"
    mask_path = data_dir / f"{split}_unet_mask{size}.npy"
    if img_path.exists() and mask_path.exists():
        return np.load(img_path), np.load(mask_path)
    t0 = time.time()
    arrays = common.load_split(data_dir, split, ["img_cor", "mask_cor", "img_tr", "mask_tr"])
    images = np.concatenate(
        [letterbox_on_device(arrays[k], device, soft_mask=False, size=size) for k in ("img_cor", "img_tr")]
    )
    masks = np.concatenate(
        [letterbox_on_device(arrays[k], device, soft_mask=True, size=size) for k in ("mask_cor", "mask_tr")]
    )
    for path, array in ((img_path, images), (mask_path, masks)):
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, array)
        tmp.replace(path)
    common.log(f"unet: letterboxed {len(images)} images in {time.time() - t0:.1f}s → {img_path}")
    return images, masks


def bce_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum(dim=(1, 2, 3))
    denom = prob.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    dice = 1.0 - (2.0 * inter + 1.0) / (denom + 1.0)
    return bce + dice.mean()


@torch.no_grad()
def monitor_dice(model: UNet, images: torch.Tensor, masks: torch.Tensor, batch: int) -> float:
    """Dice on the letterboxed canvas (a training monitor; evaluation uses original-size masks)."""
    model.eval()
    scores = []
    for start in range(0, len(images), batch):
        x = images[start : start + batch].float()
        t = masks[start : start + batch].float() > 0.5
        p = model(x) > 0
        inter = (p & t).sum(dim=(1, 2, 3)).float()
        scores.append((2 * inter / ((p.sum(dim=(1, 2, 3)) + t.sum(dim=(1, 2, 3))).float().clamp(min=1))).cpu())
    model.train()
    return float(torch.cat(scores).mean()) if scores else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", required=True,
                    help="one or more folders holding train.npz; their images are concatenated")
    ap.add_argument("--split", default="train")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--epochs", type=float, default=40)
    ap.add_argument("--max-minutes", type=float, default=0, help="time budget (0 = none)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--base", type=int, default=16, help="U-Net base channels")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--checkpoint-every", type=int, default=500)
    ap.add_argument(
        "--publish", type=Path, default=None,
        help="also write the weights-only file here at every checkpoint and at the end",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--look-aug", type=float, default=0.0,
                    help="share of each batch whose look is randomised (augment.randomize_look)")
    ap.add_argument("--render-aug", type=float, default=0.0,
                    help="share of each batch whose resolution and grey map are randomised "
                         "(augment.randomize_rendering)")
    ap.add_argument("--wide-geometry", type=float, default=0.0,
                    help="share of each batch framed with wider rotation, zoom and shift "
                         "(augment._geometry)")
    ap.add_argument("--texture-aug", type=float, default=0.0,
                    help="share of each batch passed through a random convolution "
                         "(augment.randomize_texture)")
    ap.add_argument(
        "--init-from", type=Path, default=None,
        help="fine-tune: start from these weights (a published .pt of the same --base)",
    )
    args = ap.parse_args(argv)

    common.set_threads(args.threads)
    common.seed_everything(args.seed)
    device = common.pick_device(args.device)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    use_amp = device.type == "cuda"

    cached = [cached_letterbox(d, args.split, device) for d in args.data]
    images_np = np.concatenate([c[0] for c in cached])
    masks_np = np.concatenate([c[1] for c in cached])
    del cached
    train_idx, val_idx = common.holdout_split(len(images_np))
    images = torch.from_numpy(images_np)[:, None].to(device)
    masks = torch.from_numpy(masks_np)[:, None].to(device)
    train_idx_t = torch.from_numpy(train_idx).to(device)
    val_images, val_masks = images[val_idx], masks[val_idx]

    model = UNet(base=args.base).to(device)
    if args.init_from is not None:
        model.load_state_dict(common.torch_load(args.init_from)["state_dict"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = max(1, len(train_idx) // args.batch)
    total_steps = int(args.epochs * steps_per_epoch)

    step, elapsed_before = common.resume(args.run_dir, model, optimizer, device, "unet")
    budget = common.Budget(total_steps, args.max_minutes, elapsed_before)
    common.log(
        f"unet: {count_weights(model)} weights, {len(train_idx)} train / {len(val_idx)} monitor images, "
        f"device {device}, {steps_per_epoch} steps/epoch, up to {total_steps} steps"
    )

    meta_base = {
        "kind": "unet", "base": args.base, "input_size": UNET_INPUT_SIZE,
        "train_images": int(len(train_idx)), "torch": torch.__version__,
        "init_from": str(args.init_from) if args.init_from is not None else None,
        "look_aug": args.look_aug, "render_aug": args.render_aug,
        "wide_geometry": args.wide_geometry, "texture_aug": args.texture_aug, "data": [str(d) for d in args.data],
    }

    def checkpoint() -> None:
        common.save_checkpoint(args.run_dir, model, optimizer, step, budget.elapsed(), args.publish, meta_base)

    progress = common.Progress("unet")
    gen = torch.Generator(device="cpu").manual_seed(args.seed + step)
    model.train()
    running = None
    while not budget.done(step):
        common.set_lr(optimizer, common.cosine_lr(args.lr, budget.progress(step)))
        pick = train_idx_t[torch.randint(0, len(train_idx), (args.batch,), generator=gen).to(device)]
        x, t = augment_images(images[pick].float(), masks[pick].float(), look=args.look_aug,
                              rendering=args.render_aug, wide=args.wide_geometry, texture=args.texture_aug)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
            logits = model(x)
        loss = bce_dice_loss(logits.float(), t)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        value = float(loss.detach())
        running = value if running is None else 0.98 * running + 0.02 * value
        progress.maybe(step, budget, f"loss {running:.4f} lr {optimizer.param_groups[0]['lr']:.2e}")
        if step % args.checkpoint_every == 0:
            checkpoint()

    checkpoint()
    dice = monitor_dice(model, val_images, val_masks, 64)
    meta = {
        **meta_base, "steps": step, "elapsed_s": round(budget.elapsed(), 1),
        "monitor_dice_letterboxed": round(dice, 4), "final_loss": running,
    }
    path = common.publish_final(args.run_dir, model, meta, args.publish)
    progress.maybe(step, budget, f"done: monitor Dice {dice:.4f} → {path}", force=True)


if __name__ == "__main__":
    main()
