"""Fine-tune an RVAE's regression head on latents of the masks the pipeline really produces.

    python3 -m spv_train.finetune_head --mode single|dual --checkpoint rvae_MODE.pt \
        --data DIR [DIR ...] --pipeline-masks FILE.npz [FILE.npz ...] --out rvae_MODE.pt

Why the head only. At test time the RVAE sees U-Net masks; the released single-view RVAE lost 3.8
points of MRVA between ground-truth and U-Net masks although those masks were unbiased in area:
its estimate moved with the U-Net's particular boundary errors. Retraining the whole RVAE on the
U-Net's masks would be the thorough fix, but one step of the full model (encoder, head and the
96×96 decoder, batch 64) takes about 15 s on this 2-core CPU. The encoder and decoder stay as
they are here — so the latent space, its PCA, cloud and distance threshold, and the decoder's
reconstructions all stay valid — and only the small MLP head (z → standardised log volume) is
trained, on a pool of latents encoded once:
  - ground-truth masks of the --data splits, as they are and `--perturbed` times perturbed
    (augment.perturb_masks, as train_rvae does), so the head keeps what it knew;
  - U-Net masks (spv_train.pipeline_masks) of images the U-Net was not trained on.
Each batch draws `--pipeline-share` of its rows from the U-Net masks. z is sampled around μ with
the encoder's σ, as in training. Targets use the checkpoint's own volume scaling.

A tenth of the shapes (the same shapes in both pools) is held out; the epoch with the best mean of
the held-out MRVA on ground-truth and on U-Net masks is kept, and both are printed and stored in
the checkpoint's meta (head_finetune) beside the starting point's.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import common
from .evaluate import mrva
from .infer import load_rvae
from .nets import RVAE
from .train_rvae import VIEWS, GridSource, encode_all


class LatentPool:
    """mu, logvar [N, D], volume [N], shape id [N], flags [N] (U-Net mask, perturbed GT mask) and the
    shape family [N] of the split each row came from (common.split_family)."""

    KEYS = ("mu", "logvar", "volume", "shape", "unet", "perturbed", "family")

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in self.KEYS}

    def add(self, mu: np.ndarray, logvar: np.ndarray, volume: np.ndarray, shape: np.ndarray, unet: bool,
            perturbed: bool, family: str) -> None:
        for key, value in (("mu", mu), ("logvar", logvar), ("volume", volume), ("shape", shape),
                           ("unet", np.full(len(mu), unet)), ("perturbed", np.full(len(mu), perturbed)),
                           ("family", np.full(len(mu), family))):
            self.parts[key].append(np.asarray(value))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.parts.items()}


def build_pool(model: RVAE, mode: str, data_dirs: list[Path], pipeline_files: list[Path], perturbed: int) -> dict:
    views = VIEWS[mode]
    keys = ["volume_ml", "shape_id"] + [f"mask_{v}" for v in views] + [f"spacing_{v}" for v in views]
    pool = LatentPool()
    for source, is_unet in [(d / "train.npz", False) for d in data_dirs] + [(p, True) for p in pipeline_files]:
        data = common.load_arrays(source, keys, "build it with spv_train.build_budget or spv_train.pipeline_masks")
        source_grids = GridSource(data, views, torch.device("cpu"))
        family = common.split_family(source)
        every_case = np.arange(len(data["volume_ml"]))
        for copy_index in range(1 if is_unet else 1 + perturbed):
            # Copy 0 is the masks as they are; each further copy perturbs every mask afresh.
            mu, logvar, _ = encode_all(model, source_grids, every_case, torch.device("cpu"),
                                       perturb=1.0 if copy_index > 0 else 0.0)
            pool.add(mu, logvar, data["volume_ml"], data["shape_id"], unet=is_unet, perturbed=copy_index > 0,
                     family=family)
        common.log(f"finetune_head {mode}: encoded {source} ({len(data['volume_ml'])} cases"
                   f"{'' if is_unet else f', {perturbed} perturbed copies'})")
    return pool.arrays()


def cached_pool(cache: Path | None, model: RVAE, args: argparse.Namespace) -> dict:
    """build_pool, or the pool an earlier run with the same inputs saved in `cache`: encoding is
    nearly all of a run's time (tens of minutes on this CPU; the head trains in seconds)."""
    key = json.dumps({"pool": 2, "mode": args.mode, "checkpoint": str(args.checkpoint), "data": [str(d) for d in args.data],
                      "pipeline_masks": [str(p) for p in args.pipeline_masks], "perturbed": args.perturbed})
    if cache is not None and cache.exists():
        with np.load(cache) as blob:
            if str(blob["key"]) == key:
                common.log(f"finetune_head {args.mode}: latents from {cache}")
                return {k: blob[k] for k in LatentPool.KEYS}
        common.log(f"finetune_head {args.mode}: {cache} holds other inputs; encoding again")
    pool = build_pool(model, args.mode, args.data, args.pipeline_masks, args.perturbed)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, key=np.array(key), **pool)
    return pool


def held_out_shapes(shape_ids: np.ndarray, fraction: float = 0.1, seed: int = 5) -> np.ndarray:
    unique = np.unique(shape_ids)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(unique, size=max(1, int(round(len(unique) * fraction))), replace=False)
    return np.isin(shape_ids, chosen)


@torch.no_grad()
def held_out_mrva(head: torch.nn.Module, mu: np.ndarray, volume: np.ndarray, y_mean: float, y_std: float) -> float:
    y = head(torch.from_numpy(mu)).numpy()[:, 0].astype(np.float64)
    return mrva(np.exp(y_mean + y_std * y), volume.astype(np.float64))


def finetune(model: RVAE, meta: dict, pool: dict, epochs: int, lr: float, share: float, batch: int,
             seed: int) -> tuple[RVAE, dict]:
    y_mean, y_std = float(meta["y_mean"]), float(meta["y_std"])
    y = ((np.log(pool["volume"].astype(np.float64)) - y_mean) / y_std).astype(np.float32)
    val = held_out_shapes(pool["shape"])
    # Held-out scores: ground-truth masks as they are, and U-Net masks (not the perturbed copies).
    sets = {"gt": val & ~pool["unet"] & ~pool["perturbed"], "unet": val & pool["unet"]}
    families = np.unique(pool["family"][~pool["unet"]])
    if len(families) > 1:  # reported per family too (the epoch is still chosen by the two above)
        by_family = {f"gt {f}": sets["gt"] & (pool["family"] == f) for f in families}
        sets.update({k: rows for k, rows in by_family.items() if rows.any()})
    train = {"gt": np.nonzero(~val & ~pool["unet"])[0], "unet": np.nonzero(~val & pool["unet"])[0]}
    if len(train["unet"]) == 0 or len(train["gt"]) == 0:
        raise SystemExit("finetune_head needs both ground-truth and U-Net masks to train on")

    torch.manual_seed(seed)
    gen = np.random.default_rng(seed)
    mu_t = torch.from_numpy(pool["mu"])
    sd_t = torch.exp(0.5 * torch.from_numpy(pool["logvar"]))
    y_t = torch.from_numpy(y)
    head = copy.deepcopy(model.head).train()
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)

    def score(h: torch.nn.Module) -> dict[str, float]:
        h.eval()
        out = {k: held_out_mrva(h, pool["mu"][s], pool["volume"][s], y_mean, y_std) for k, s in sets.items()}
        h.train()
        return out

    start = score(head)
    best, best_state, best_epoch = start, copy.deepcopy(head.state_dict()), 0
    n_unet = int(round(batch * share))
    steps = max(1, (len(train["gt"]) + len(train["unet"])) // batch)
    common.log(f"finetune_head: {len(train['gt'])} GT + {len(train['unet'])} U-Net latents to train on, "
               f"held out {int(sets['gt'].sum())} GT / {int(sets['unet'].sum())} U-Net; start {_fmt(start)}")
    for epoch in range(1, epochs + 1):
        for _ in range(steps):
            pick = np.concatenate([gen.choice(train["gt"], batch - n_unet), gen.choice(train["unet"], n_unet)])
            idx = torch.from_numpy(pick)
            z = mu_t[idx] + sd_t[idx] * torch.randn(len(pick), mu_t.shape[1])
            loss = F.mse_loss(head(z)[:, 0], y_t[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        now = score(head)
        if _mean(now) > _mean(best):
            best, best_state, best_epoch = now, copy.deepcopy(head.state_dict()), epoch
        common.log(f"finetune_head epoch {epoch}/{epochs}: held out {_fmt(now)} (best epoch {best_epoch})")
    tuned = copy.deepcopy(model)
    tuned.head.load_state_dict(best_state)
    report = {
        "epochs": epochs, "best_epoch": best_epoch, "lr": lr, "pipeline_share": share, "batch": batch,
        "train_gt_latents": int(len(train["gt"])), "train_unet_latents": int(len(train["unet"])),
        "held_out_start": start, "held_out_best": best,
    }
    return tuned.eval(), report


def _mean(scores: dict[str, float]) -> float:
    return (scores["gt"] + scores["unet"]) / 2


def _fmt(scores: dict[str, float]) -> str:
    by_family = "".join(f", {k[3:]} {v:.2f}%" for k, v in scores.items() if k.startswith("gt "))
    return f"MRVA GT {scores['gt']:.2f}% / U-Net {scores['unet']:.2f}%" + (f" (GT by family: {by_family[2:]})" if by_family else "")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=sorted(VIEWS), required=True)
    ap.add_argument("--checkpoint", type=Path, required=True, help="the published rvae_MODE.pt to start from")
    ap.add_argument("--data", type=Path, nargs="+", required=True, help="split dirs with train.npz (GT masks)")
    ap.add_argument("--pipeline-masks", type=Path, nargs="+", required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--perturbed", type=int, default=2, help="perturbed copies of each ground-truth mask")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--pipeline-share", type=float, default=0.5)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--pool-cache", type=Path, default=None,
                    help="an .npz for the encoded latents: written after encoding, read by a later run with the same inputs")
    args = ap.parse_args(argv)
    common.set_threads(args.threads)

    model, meta = load_rvae(args.checkpoint, len(VIEWS[args.mode]))
    pool = cached_pool(args.pool_cache, model, args)
    tuned, report = finetune(model, meta, pool, args.epochs, args.lr, args.pipeline_share, args.batch, args.seed)
    report.update({"from": str(args.checkpoint), "data": [str(d) for d in args.data],
                   "families": {str(d): common.split_family(d / "train.npz") for d in args.data},
                   "pipeline_masks": [str(p) for p in args.pipeline_masks], "perturbed": args.perturbed})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    common.atomic_save({"state_dict": common.cpu_state(tuned), "meta": {**meta, "head_finetune": report}}, args.out)
    common.log(f"finetune_head: best epoch {report['best_epoch']}, held out {_fmt(report['held_out_best'])} "
               f"(start {_fmt(report['held_out_start'])}) → {args.out}")


if __name__ == "__main__":
    main()
