"""Batched inference with the trained PyTorch models, computing exactly what the app computes with
the exported ONNX graphs (PIPELINE §2–§5): eval-mode modules, float32 tensors, the numpy
preprocessing of preprocess.py. Used by calibrate, evaluate and golden.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import common, preprocess
from .nets import RVAE, UNet


@dataclass
class Models:
    unet: UNet
    unet_meta: dict
    rvae: dict[str, RVAE]
    rvae_meta: dict[str, dict]


def load_models(checkpoints: Path) -> Models:
    """unet.pt, rvae_single.pt, rvae_dual.pt as written by run_gpu.sh / run_cpu.sh."""
    unet, unet_meta = load_unet(checkpoints / "unet.pt")
    rvae, rvae_meta = {}, {}
    for mode, channels in (("single", 1), ("dual", 2)):
        rvae[mode], rvae_meta[mode] = load_rvae(checkpoints / f"rvae_{mode}.pt", channels)
    return Models(unet, unet_meta, rvae, rvae_meta)


def load_rvae(path: Path, channels: int) -> tuple[RVAE, dict]:
    """A published rvae_{single,dual}.pt → the network in eval mode and its meta."""
    state, meta = common.load_final(path)
    model = RVAE(channels)
    model.load_state_dict(state)
    return model.eval(), meta


def load_unet(path: Path) -> tuple[UNet, dict]:
    """A published unet.pt → the network in eval mode and its meta."""
    state, meta = common.load_final(path)
    unet = UNet(base=int(meta.get("base", 16)))
    unet.load_state_dict(state)
    return unet.eval(), meta


def segment(unet: UNet, grey: np.ndarray, batch: int = 32) -> np.ndarray:
    """Images [N, H, W] (0..255) → cleaned 0/1 masks [N, H, W] (PIPELINE §2 + §3)."""
    return segment_scored(unet, grey, batch)[0]


def segment_views(unet: UNet, split: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """segment_scored on both views of a split: {"cor": (masks, confidence), "tr": …}."""
    return {view: segment_scored(unet, split[f"img_{view}"]) for view in ("cor", "tr")}


@torch.no_grad()
def segment_scored(unet: UNet, grey: np.ndarray, batch: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """segment, and each mask's confidence (preprocess.mask_confidence) as float64 [N]."""
    n, height, width = grey.shape
    masks = np.zeros((n, height, width), dtype=np.uint8)
    confidence = np.zeros(n, dtype=np.float64)
    for start in range(0, n, batch):
        block = np.stack([preprocess.letterbox(g)[0] for g in grey[start : start + batch]])
        logits = unet(torch.from_numpy(block)[:, None]).numpy()[:, 0]
        for k, lg in enumerate(logits):
            masks[start + k], confidence[start + k] = preprocess.segment_postprocess_scored(lg, width, height)
    return masks, confidence


def grids(masks: np.ndarray, spacing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grids [N, G, G] (float32) and a fits flag per mask; masks failing the fit check or empty get
    a zero grid and fits = False (the app refuses them; evaluation reports how many)."""
    out = np.zeros((len(masks), preprocess.GRID_SIZE, preprocess.GRID_SIZE), dtype=np.float32)
    fits = np.zeros(len(masks), dtype=bool)
    for k in range(len(masks)):
        s = float(spacing[k])
        try:
            grid, _ = preprocess.to_grid(masks[k], s, s)
        except (preprocess.OutsideValidatedRange, ValueError):
            continue
        out[k], fits[k] = grid, True
    return out, fits


@torch.no_grad()
def encode(model: RVAE, grid_stack: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Grids [N, C, G, G] → mu, logvar [N, D] (float32, as the ONNX encoder returns them)."""
    mus, logvars = [], []
    for start in range(0, len(grid_stack), batch):
        mu, logvar = model.encoder(torch.from_numpy(grid_stack[start : start + batch].astype(np.float32)))
        mus.append(mu.numpy())
        logvars.append(logvar.numpy())
    return np.concatenate(mus), np.concatenate(logvars)


def head_numpy(model: RVAE):
    @torch.no_grad()
    def run(z: np.ndarray) -> np.ndarray:
        return model.head(torch.from_numpy(np.asarray(z, dtype=np.float32))).numpy()

    return run


@torch.no_grad()
def point_and_spread(model: RVAE, mu: np.ndarray, logvar: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y0 = head(mu) and s = population std of head(mu + σ·ε_k) over the K fixed ε (PIPELINE §5)."""
    head = head_numpy(model)
    y0 = head(mu)[:, 0].astype(np.float64)
    n, k = len(mu), len(noise)
    z = mu.astype(np.float64)[:, None, :] + np.exp(logvar.astype(np.float64) / 2)[:, None, :] * noise[None]
    ys = head(z.reshape(n * k, -1).astype(np.float32))[:, 0].reshape(n, k).astype(np.float64)
    return y0, ys.std(axis=1)


def volumes(y: np.ndarray, vol_mean: float, vol_std: float) -> np.ndarray:
    return np.exp(vol_mean + vol_std * np.asarray(y, dtype=np.float64))
