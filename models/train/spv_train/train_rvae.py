"""Train the regression VAE (single view: coronal grid; dual view: coronal + transverse grids).

    python3 -m spv_train.train_rvae --mode single|dual --data DIR [DIR ...] --run-dir DIR
           [--epochs N] [--max-minutes M] [--device auto|cpu|cuda]
           [--init-from PT] [--pipeline-masks FILE.npz [FILE.npz ...] --pipeline-share F]
           [--freeze-decoder --recon-rows N]

Targets y = (log V − mean) / std with mean/std from the train split (stored in the checkpoint's
meta and then in the manifest). Phase 1 (the first --pretrain fraction of the budget) trains a
plain VAE: reconstruction BCE + β·KL (β = 0.2 as in the article). Phase 2 adds the regression
loss on y predicted from the sampled z. Ground-truth masks are perturbed at full resolution
(dilation/erosion, boundary noise) before going onto the grid, so U-Net masks at test time are in
distribution. With --pipeline-masks (spv_train.pipeline_masks: the U-Net's own masks on images it
was not trained on) a share of every batch is those masks as they are, so the RVAE also learns the
errors the real segmenter makes. Resumable from the latest checkpoint in --run-dir, like train_unet.
At the end the encoder's mu for (up to 4000) unperturbed training cases is saved beside the final
weights (latents.npz): calibrate.py builds the latent PCA, cloud and distance threshold from it.

--freeze-decoder (with --init-from) trains the encoder and head only: the decoder's weights and its
BatchNorm statistics stay as they are, but the reconstruction loss is still computed through it, so
the new latents keep decoding to the mask the app overlays (PIPELINE "Explain"). With --recon-rows N
only the first N rows of each batch are decoded: on a 2-core CPU the decoder's backward pass is most
of a step (batch 64: encoder forward and backward 0.3 s, decoder 3.4 s; 16 rows 0.5 s), and the
reconstruction term is a per-row mean, so fewer rows change its noise, not its scale.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import common
from .augment import masks_to_grids, perturb_masks
from .evaluate import mrva
from .nets import LATENT_DIM, RVAE, count_weights

VIEWS = {"single": ["cor"], "dual": ["cor", "tr"]}
CHANNEL_NAMES = {"cor": "coronal", "tr": "transverse"}


class GridSource:
    """Masks kept on the training device as uint8; grids are built per batch (PIPELINE §4)."""

    def __init__(self, data: dict[str, np.ndarray], views: list[str], device: torch.device) -> None:
        self.views = views
        self.masks = {v: torch.from_numpy(data[f"mask_{v}"]).to(device) for v in views}
        self.spacing = {v: torch.from_numpy(data[f"spacing_{v}"].astype(np.float32)).to(device) for v in views}

    def grids(self, idx: torch.Tensor, perturb: float) -> torch.Tensor:
        channels = []
        for v in self.views:
            m = self.masks[v][idx].float()
            if perturb > 0:
                chosen = torch.rand(len(idx), device=m.device) < perturb
                if bool(chosen.any()):
                    m[chosen] = perturb_masks(m[chosen])
            channels.append(masks_to_grids(m, self.spacing[v][idx]))
        return torch.stack(channels, dim=1)


def load_splits(dirs: list[Path], split: str, keys: list[str]) -> dict[str, np.ndarray]:
    """The same split from several data dirs, concatenated (e.g. a fresh build beside an older one)."""
    return concatenate([common.load_split(d, split, keys) for d in dirs], keys, f"data dirs {[str(d) for d in dirs]}")


def concatenate(parts: list[dict[str, np.ndarray]], keys: list[str], what: str) -> dict[str, np.ndarray]:
    """The arrays of several sources end to end; their masks must have one size (named by `what`)."""
    shapes = {part[k].shape[1:] for part in parts for k in keys if k.startswith("mask_")}
    if len(shapes) > 1:
        raise SystemExit(f"{what} have masks of different sizes {sorted(shapes)}")
    return {k: np.concatenate([part[k] for part in parts]) for k in keys}


class PipelineMasks:
    """U-Net masks (spv_train.pipeline_masks) with their targets; a monitor share is held out."""

    def __init__(self, data: dict[str, np.ndarray], views: list[str], y_mean: float, y_std: float,
                 device: torch.device) -> None:
        self.source = GridSource(data, views, device)
        self.volume_ml = data["volume_ml"].astype(np.float64)
        self.y = torch.from_numpy(((np.log(self.volume_ml) - y_mean) / y_std).astype(np.float32)).to(device)
        self.train_idx, self.val_idx = common.holdout_split(len(self.volume_ml))
        self.train_idx_t = torch.from_numpy(self.train_idx).to(device)

    @classmethod
    def load(cls, paths: list[Path], keys: list[str], views: list[str], y_mean: float, y_std: float,
             device: torch.device) -> "PipelineMasks":
        """Several files (e.g. U-Net masks of several fresh splits) are concatenated."""
        parts = [common.load_arrays(p, keys, "write it with python3 -m spv_train.pipeline_masks") for p in paths]
        data = concatenate(parts, keys, f"pipeline mask files {[str(p) for p in paths]}")
        return cls(data, views, y_mean, y_std, device)

    def batch(self, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        pick = self.train_idx_t[torch.randint(0, len(self.train_idx), (n,), generator=gen).to(self.y.device)]
        return self.source.grids(pick, 0.0), self.y[pick]


def mrva_pct(v_hat: np.ndarray, v_true: np.ndarray) -> float:
    return mrva(v_hat, np.asarray(v_true, dtype=np.float64)) if len(v_true) else float("nan")


def rvae_losses(model: RVAE, grids: torch.Tensor, y: torch.Tensor, recon_rows: int = 0):
    """(reconstruction, KL, regression MSE) of a batch; recon_rows > 0 decodes only that many rows."""
    if recon_rows <= 0 or recon_rows >= len(grids):
        mu, logvar, z, y_hat, recon = model(grids, sample=True)
        target = grids
    else:
        mu, logvar = model.encoder(grids)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        y_hat, recon, target = model.head(z), model.decoder(z[:recon_rows]), grids[:recon_rows]
    recon_loss = F.binary_cross_entropy_with_logits(recon, target, reduction="none").sum(dim=(1, 2, 3)).mean()
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)).mean()
    mse = F.mse_loss(y_hat[:, 0], y)
    return recon_loss, kl, mse


@torch.no_grad()
def encode_all(model: RVAE, source: GridSource, idx: np.ndarray, device: torch.device, batch: int = 128,
               perturb: float = 0.0):
    """mu, logvar and the head's y for the cases idx (a share `perturb` of the masks perturbed first)."""
    was_training = model.training
    model.eval()
    mus, logvars, ys = [], [], []
    for start in range(0, len(idx), batch):
        sel = torch.from_numpy(idx[start : start + batch]).to(device)
        mu, logvar = model.encoder(source.grids(sel, perturb))
        mus.append(mu.cpu())
        logvars.append(logvar.cpu())
        ys.append(model.head(mu)[:, 0].cpu())
    model.train(was_training)
    if not mus:
        empty = np.zeros((0, LATENT_DIM), np.float32)
        return empty, empty, np.zeros(0, np.float32)
    return torch.cat(mus).numpy(), torch.cat(logvars).numpy(), torch.cat(ys).numpy()


def train_mode(model: RVAE, freeze_decoder: bool) -> None:
    """Training mode, except a frozen decoder stays in eval mode: its BatchNorm running statistics
    are part of what it decodes with, and updating them would change every reconstruction."""
    model.train()
    if freeze_decoder:
        model.decoder.eval()


def train_latents(model: RVAE, source: GridSource, volume_ml: np.ndarray, train_idx: np.ndarray,
                  device: torch.device) -> dict[str, np.ndarray]:
    """The latents.npz arrays that summary.py packs for calibrate: mu, logvar and volume of up to
    4,000 train cases (a fixed random choice, so two runs on one split encode the same cases)."""
    rng = np.random.default_rng(7)
    keep = np.sort(rng.permutation(train_idx)[: min(4000, len(train_idx))])
    mu, logvar, _ = encode_all(model, source, keep, device)
    return {"mu": mu.astype(np.float32), "logvar": logvar.astype(np.float32),
            "volume_ml": volume_ml[keep].astype(np.float32), "index": keep.astype(np.int64)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=sorted(VIEWS), required=True)
    ap.add_argument("--data", type=Path, nargs="+", required=True,
                    help="one or more data dirs; their splits are concatenated (same image size)")
    ap.add_argument("--split", default="train")
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--epochs", type=float, default=150)
    ap.add_argument("--max-minutes", type=float, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--beta", type=float, default=0.2)
    ap.add_argument("--reg-weight", type=float, default=2000.0, help="weight of the y MSE vs summed BCE")
    ap.add_argument("--pretrain", type=float, default=0.25, help="fraction of the budget as plain VAE")
    ap.add_argument("--perturb", type=float, default=0.7, help="fraction of masks perturbed")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    ap.add_argument(
        "--publish", type=Path, default=None,
        help="also write the weights-only file here at every checkpoint and at the end",
    )
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--pipeline-masks", type=Path, nargs="+", default=None,
                    help="U-Net masks written by spv_train.pipeline_masks (one or more files, concatenated), "
                         "mixed into every batch unperturbed")
    ap.add_argument("--pipeline-share", type=float, default=0.5,
                    help="fraction of each batch taken from --pipeline-masks")
    ap.add_argument("--freeze-decoder", action="store_true",
                    help="train the encoder and head only (needs --init-from); the decoder still scores reconstructions")
    ap.add_argument("--recon-rows", type=int, default=0,
                    help="decode only the first N rows of each batch for the reconstruction loss (0: all)")
    ap.add_argument(
        "--init-from", type=Path, default=None,
        help="fine-tune: start from these weights (a published .pt) and keep their volume scaling, "
             "so the head stays valid; use with --pretrain 0",
    )
    args = ap.parse_args(argv)
    if args.freeze_decoder and args.init_from is None:
        ap.error("--freeze-decoder keeps a trained decoder: give the weights to start from with --init-from")

    common.set_threads(args.threads)
    common.seed_everything(args.seed)
    device = common.pick_device(args.device)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    views = VIEWS[args.mode]
    name = f"rvae-{args.mode}"

    keys = ["volume_ml"] + [f"mask_{v}" for v in views] + [f"spacing_{v}" for v in views]
    data = load_splits(args.data, args.split, keys)
    log_v = np.log(data["volume_ml"].astype(np.float64))
    y_mean, y_std = float(log_v.mean()), float(log_v.std())
    init = common.torch_load(args.init_from) if args.init_from is not None else None
    if init is not None:
        # The head predicts y in the initial model's scaling: keep it rather than refit it.
        y_mean, y_std = float(init["meta"]["y_mean"]), float(init["meta"]["y_std"])
    y_all = torch.from_numpy(((log_v - y_mean) / y_std).astype(np.float32)).to(device)
    source = GridSource(data, views, device)
    train_idx, val_idx = common.holdout_split(len(log_v))
    train_idx_t = torch.from_numpy(train_idx).to(device)
    pipe = PipelineMasks.load(args.pipeline_masks, keys, views, y_mean, y_std, device) if args.pipeline_masks else None
    n_pipe = int(round(args.batch * args.pipeline_share)) if pipe is not None else 0

    model = RVAE(len(views)).to(device)
    if init is not None:
        model.load_state_dict(init["state_dict"])
    if args.freeze_decoder:
        model.decoder.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=1e-5)
    steps_per_epoch = max(1, len(train_idx) // args.batch)
    total_steps = int(args.epochs * steps_per_epoch)

    step, elapsed_before = common.resume(args.run_dir, model, optimizer, device, name)
    budget = common.Budget(total_steps, args.max_minutes, elapsed_before)
    common.log(
        f"{name}: {count_weights(model)} weights, {len(train_idx)} train / {len(val_idx)} monitor cases, "
        f"device {device}, log-volume mean {y_mean:.3f} std {y_std:.3f}, up to {total_steps} steps"
        + (f"; {n_pipe} of each {args.batch} from {len(pipe.train_idx)} U-Net masks "
           f"({', '.join(str(p) for p in args.pipeline_masks)})"
           if pipe is not None else "")
    )

    meta_base = {
        "kind": f"rvae_{args.mode}", "mode": args.mode, "channels": [CHANNEL_NAMES[v] for v in views],
        "latent_dim": LATENT_DIM, "volume_transform": "log", "y_mean": y_mean, "y_std": y_std,
        "train_cases": int(len(train_idx)), "beta": args.beta, "reg_weight": args.reg_weight,
        "torch": torch.__version__,
        "init_from": str(args.init_from) if args.init_from is not None else None,
        "data": [str(d) for d in args.data],
        "pipeline_masks": [str(p) for p in args.pipeline_masks] if pipe is not None else None,
        "pipeline_share": args.pipeline_share if pipe is not None else 0.0,
        "pipeline_cases": int(len(pipe.train_idx)) if pipe is not None else 0,
        "frozen_decoder": bool(args.freeze_decoder), "recon_rows": args.recon_rows,
    }

    def checkpoint() -> None:
        common.save_checkpoint(args.run_dir, model, optimizer, step, budget.elapsed(), args.publish, meta_base)

    progress = common.Progress(name)
    gen = torch.Generator(device="cpu").manual_seed(args.seed + step)
    torch.manual_seed(args.seed + step)
    running: dict[str, float] = {}
    train_mode(model, args.freeze_decoder)
    while not budget.done(step):
        p = budget.progress(step)
        joint = p >= args.pretrain
        common.set_lr(optimizer, common.cosine_lr(args.lr, p))
        pick = train_idx_t[torch.randint(0, len(train_idx), (args.batch - n_pipe,), generator=gen).to(device)]
        grids, y = source.grids(pick, args.perturb), y_all[pick]
        if pipe is not None:
            pipe_grids, pipe_y = pipe.batch(n_pipe, gen)
            grids, y = torch.cat([grids, pipe_grids]), torch.cat([y, pipe_y])
        recon, kl, mse = rvae_losses(model, grids, y, args.recon_rows)
        loss = recon + args.beta * kl + (args.reg_weight * mse if joint else 0.0)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 50.0)
        optimizer.step()
        step += 1
        for key, value in (("recon", recon), ("kl", kl), ("mse", mse)):
            v = float(value.detach())
            running[key] = v if key not in running else 0.98 * running[key] + 0.02 * v
        progress.maybe(
            step, budget,
            f"{'joint' if joint else 'vae'} recon {running['recon']:.1f} kl {running['kl']:.1f} "
            f"mse {running['mse']:.4f} lr {optimizer.param_groups[0]['lr']:.2e}",
        )
        if step % args.checkpoint_every == 0:
            checkpoint()

    checkpoint()
    _, _, y_val = encode_all(model, source, val_idx, device)
    v_true = data["volume_ml"][val_idx].astype(np.float64)
    v_hat = np.exp(y_mean + y_std * y_val.astype(np.float64))
    mrva = mrva_pct(v_hat, v_true)
    pipe_mrva = float("nan")
    if pipe is not None:
        _, _, y_pipe = encode_all(model, pipe.source, pipe.val_idx, device)
        pipe_mrva = mrva_pct(np.exp(y_mean + y_std * y_pipe.astype(np.float64)), pipe.volume_ml[pipe.val_idx])

    np.savez(args.run_dir / "latents.npz", **train_latents(model, source, data["volume_ml"], train_idx, device))
    meta = {
        **meta_base, "steps": step, "elapsed_s": round(budget.elapsed(), 1),
        "monitor_mrva_gt_pct": round(mrva, 2), "final_losses": running,
        "monitor_mrva_pipeline_pct": None if pipe is None else round(pipe_mrva, 2),
    }
    path = common.publish_final(args.run_dir, model, meta, args.publish)
    pipe_note = "" if pipe is None else f", on held-out U-Net masks {pipe_mrva:.2f}%"
    progress.maybe(step, budget, f"done: monitor MRVA (GT masks) {mrva:.2f}%{pipe_note} → {path}", force=True)


if __name__ == "__main__":
    main()
