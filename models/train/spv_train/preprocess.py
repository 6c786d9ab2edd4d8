"""The Python side of docs/PIPELINE.md §2–§5, the preprocessing contract shared with TypeScript.

Every function here has a twin in ``src/imaging`` / ``src/models``; golden fixtures written by
``golden.py`` keep both sides equal within 1e-4. All arithmetic is float64; tensors handed to a
network are float32. Functions are vectorised numpy (no per-pixel Python loops) because training
and evaluation call them on thousands of images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

# Defaults that also go into models/manifest.json (the app reads them from there, never from here).
UNET_INPUT_SIZE = 128
GRID_SIZE = 96
GRID_SPACING_MM = 3.5
NORM_MEAN = 0.0
NORM_STD = 1.0
THRESHOLD = 0.5
INTERVAL_SAMPLES = 64
INTERVAL_SEED = 20251127


class OutsideValidatedRange(ValueError):
    """The mask does not fit the physical grid (PIPELINE §4 fit check): refused, never rescaled."""


def round_half_away(x: float) -> int:
    """Round half away from zero (PIPELINE §2), unlike Python's banker's rounding."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


# ---------------------------------------------------------------- §2 area resampling + letterbox


def area_weights(n: int, m: int) -> np.ndarray:
    """[m, n] matrix resampling an axis of n samples to m by overlap-weighted means.

    Output j covers source [j·n/m, (j+1)·n/m); w(j, i) = overlap with [i, i+1) divided by n/m,
    so each row sums to 1.
    """
    step = n / m
    lo = np.arange(m, dtype=np.float64)[:, None] * step
    hi = lo + step
    src_lo = np.arange(n, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, src_lo + 1.0) - np.maximum(lo, src_lo), 0.0, None)
    return overlap / step


@dataclass(frozen=True)
class Letterbox:
    """Where the resized image sits on the S × S canvas."""

    size: int
    nw: int
    nh: int
    ox: int
    oy: int


def letterbox_geometry(width: int, height: int, size: int = UNET_INPUT_SIZE) -> Letterbox:
    scale = size / max(width, height)
    nw = max(1, round_half_away(width * scale))
    nh = max(1, round_half_away(height * scale))
    return Letterbox(size=size, nw=nw, nh=nh, ox=(size - nw) // 2, oy=(size - nh) // 2)


def letterbox(
    grey: np.ndarray,
    size: int = UNET_INPUT_SIZE,
    mean: float = NORM_MEAN,
    std: float = NORM_STD,
) -> tuple[np.ndarray, Letterbox]:
    """Grey image [H, W] (0..255) → normalised [S, S] float32 canvas and its geometry."""
    height, width = grey.shape
    box = letterbox_geometry(width, height, size)
    resized = letterbox_resize(grey.astype(np.float64), box)
    canvas = np.zeros((size, size), dtype=np.float64)
    canvas[box.oy : box.oy + box.nh, box.ox : box.ox + box.nw] = resized
    return ((canvas / 255.0 - mean) / std).astype(np.float32), box


def letterbox_resize(values: np.ndarray, box: Letterbox) -> np.ndarray:
    """Area-resample [..., H, W] to [..., nh, nw] (batched when values has leading axes)."""
    height, width = values.shape[-2:]
    ry = area_weights(height, box.nh)
    rx = area_weights(width, box.nw)
    return ry @ values @ rx.T


def letterbox_batch(
    grey: np.ndarray, size: int = UNET_INPUT_SIZE, mean: float = NORM_MEAN, std: float = NORM_STD
) -> tuple[np.ndarray, Letterbox]:
    """Letterbox N same-sized images [N, H, W] at once (training caches); float32 [N, S, S]."""
    n, height, width = grey.shape
    box = letterbox_geometry(width, height, size)
    out = np.empty((n, size, size), dtype=np.float32)
    pad = np.float32((0.0 - mean) / std)
    ry = area_weights(height, box.nh)
    rx = area_weights(width, box.nw)
    chunk = 256
    for start in range(0, n, chunk):
        block = grey[start : start + chunk].astype(np.float64)
        resized = np.einsum("yh,nhw,xw->nyx", ry, block, rx, optimize=True)
        out[start : start + chunk] = pad
        out[start : start + chunk, box.oy : box.oy + box.nh, box.ox : box.ox + box.nw] = (
            (resized / 255.0 - mean) / std
        ).astype(np.float32)
    return out, box


def letterbox_mask_batch(mask: np.ndarray, size: int = UNET_INPUT_SIZE) -> np.ndarray:
    """Soft U-Net targets: masks [N, H, W] (0/1) area-resampled onto the canvas, float32 in [0, 1]."""
    n, height, width = mask.shape
    box = letterbox_geometry(width, height, size)
    out = np.zeros((n, size, size), dtype=np.float32)
    ry = area_weights(height, box.nh)
    rx = area_weights(width, box.nw)
    chunk = 256
    for start in range(0, n, chunk):
        block = mask[start : start + chunk].astype(np.float64)
        resized = np.einsum("yh,nhw,xw->nyx", ry, block, rx, optimize=True)
        out[start : start + chunk, box.oy : box.oy + box.nh, box.ox : box.ox + box.nw] = resized
    return out


# ---------------------------------------------------------------- §3 logits → mask


def bilinear_half_pixel_weights(n_src: int, n_dst: int) -> np.ndarray:
    """[n_dst, n_src] bilinear matrix with half-pixel centres, source coordinate clamped to the edge."""
    src = (np.arange(n_dst, dtype=np.float64) + 0.5) * n_src / n_dst - 0.5
    src = np.clip(src, 0.0, n_src - 1)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_src - 1)
    frac = src - i0
    weights = np.zeros((n_dst, n_src), dtype=np.float64)
    rows = np.arange(n_dst)
    np.add.at(weights, (rows, i0), 1.0 - frac)
    np.add.at(weights, (rows, i1), frac)
    return weights


def unletterbox_logits(logits: np.ndarray, width: int, height: int) -> np.ndarray:
    """Logits [S, S] → logits [H, W] at the original size (crop, then bilinear half-pixel)."""
    size = logits.shape[-1]
    box = letterbox_geometry(width, height, size)
    crop = logits[box.oy : box.oy + box.nh, box.ox : box.ox + box.nw].astype(np.float64)
    wy = bilinear_half_pixel_weights(box.nh, height)
    wx = bilinear_half_pixel_weights(box.nw, width)
    return wy @ crop @ wx.T


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def threshold_logits(logits_hw: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """mask = logit > logit(threshold); 0/1 uint8 (before component / hole clean-up)."""
    return (logits_hw > logit(threshold)).astype(np.uint8)


_EIGHT = np.ones((3, 3), dtype=bool)


def largest_component(mask: np.ndarray) -> np.ndarray:
    """Keep the largest 8-connected component. Ties: the component met first in raster order
    (scipy numbers components by their first pixel in raster order; argmax takes the first max)."""
    labels, count = ndimage.label(mask > 0, structure=_EIGHT)
    if count <= 1:
        return (labels > 0).astype(np.uint8)
    sizes = np.bincount(labels.ravel())[1:]
    return (labels == int(np.argmax(sizes)) + 1).astype(np.uint8)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill background not 4-connected to the border (scipy's default structure is the 4-cross)."""
    return ndimage.binary_fill_holes(mask > 0).astype(np.uint8)


def clean_mask(mask: np.ndarray) -> np.ndarray:
    return fill_holes(largest_component(mask))


def segment_postprocess(
    logits_ss: np.ndarray, width: int, height: int, threshold: float = THRESHOLD
) -> np.ndarray:
    """PIPELINE §3 in full: U-Net logits [S, S] → cleaned 0/1 mask [H, W]."""
    return segment_postprocess_scored(logits_ss, width, height, threshold)[0]


def mask_confidence(logits_hw: np.ndarray, mask: np.ndarray) -> float:
    """PIPELINE §3b: the U-Net's mean probability over the kept mask's pixels (0 for an empty mask).

    Near 1 when the network is sure of the whole outline; it falls when a large part of the organ
    is drawn hesitantly, which is what happens on images unlike the training data (models/
    ROBUSTNESS.md): the app warns below the manifest's segmenter.confidence.flag_below."""
    inside = mask > 0
    if not inside.any():
        return 0.0
    return float(np.mean(1.0 / (1.0 + np.exp(-logits_hw[inside].astype(np.float64)))))


def segment_postprocess_scored(
    logits_ss: np.ndarray, width: int, height: int, threshold: float = THRESHOLD
) -> tuple[np.ndarray, float]:
    """segment_postprocess and the mask's confidence (mask_confidence) from one un-letterboxing."""
    logits_hw = unletterbox_logits(logits_ss, width, height)
    mask = clean_mask(threshold_logits(logits_hw, threshold))
    return mask, mask_confidence(logits_hw, mask)


# ---------------------------------------------------------------- §4 physical grid


def centroid_mm(mask: np.ndarray, sx: float, sy: float) -> tuple[float, float]:
    m = mask.astype(np.float64)
    total = m.sum()
    if total <= 0:
        raise ValueError("empty mask: nothing to place on the grid")
    xs = np.arange(m.shape[1], dtype=np.float64) + 0.5
    ys = np.arange(m.shape[0], dtype=np.float64) + 0.5
    cx = sx * float((m.sum(axis=0) * xs).sum()) / total
    cy = sy * float((m.sum(axis=1) * ys).sum()) / total
    return cx, cy


def grid_axis_weights(n_pix: int, spacing: float, centre: float, size: int, cell: float) -> np.ndarray:
    """[size, n_pix]: fraction of grid cell j's length covered by pixel i (overlap / cell)."""
    lo = centre + (np.arange(size, dtype=np.float64)[:, None] - size / 2) * cell
    hi = lo + cell
    pix_lo = np.arange(n_pix, dtype=np.float64)[None, :] * spacing
    pix_hi = pix_lo + spacing
    return np.clip(np.minimum(hi, pix_hi) - np.maximum(lo, pix_lo), 0.0, None) / cell


def check_fits(mask: np.ndarray, sx: float, sy: float, cx: float, cy: float, size: int, cell: float) -> None:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    half = size / 2 * cell
    inside = (
        cols[0] * sx >= cx - half
        and (cols[-1] + 1) * sx <= cx + half
        and rows[0] * sy >= cy - half
        and (rows[-1] + 1) * sy <= cy + half
    )
    if not inside:
        raise OutsideValidatedRange(
            f"mask extends beyond the {size * cell:.0f} mm grid: outside the validated range"
        )


def to_grid(
    mask: np.ndarray, sx: float, sy: float, size: int = GRID_SIZE, cell: float = GRID_SPACING_MM
) -> tuple[np.ndarray, tuple[float, float]]:
    """Mask [H, W] with spacing (sx, sy) mm → grid [G, G] of covered fractions, and the centroid."""
    cx, cy = centroid_mm(mask, sx, sy)
    check_fits(mask, sx, sy, cx, cy, size, cell)
    wx = grid_axis_weights(mask.shape[1], sx, cx, size, cell)
    wy = grid_axis_weights(mask.shape[0], sy, cy, size, cell)
    return (wy @ mask.astype(np.float64) @ wx.T), (cx, cy)


def grids_for_split(
    masks: np.ndarray, spacing: np.ndarray, size: int = GRID_SIZE, cell: float = GRID_SPACING_MM
) -> np.ndarray:
    """Grids [N, G, G] float32 for N masks with square pixels (spacing [N]); masks that do not fit
    are clipped rather than refused — only for building training/evaluation tensors, and counted."""
    out = np.zeros((len(masks), size, size), dtype=np.float32)
    for k in range(len(masks)):
        s = float(spacing[k])
        cx, cy = centroid_mm(masks[k], s, s)
        wx = grid_axis_weights(masks.shape[2], s, cx, size, cell)
        wy = grid_axis_weights(masks.shape[1], s, cy, size, cell)
        out[k] = wy @ masks[k].astype(np.float64) @ wx.T
    return out


# ---------------------------------------------------------------- §5 sampler and interval


class Mulberry32:
    """mulberry32 PRNG, uint32 arithmetic, identical to the TypeScript twin in src/models/rng.ts."""

    _MASK = 0xFFFFFFFF

    def __init__(self, seed: int) -> None:
        self.state = seed & self._MASK

    @staticmethod
    def _imul(a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF

    def next(self) -> float:
        m = self._MASK
        self.state = (self.state + 0x6D2B79F5) & m
        t = self.state
        t = self._imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + self._imul(t ^ (t >> 7), t | 61)) & m)) & m
        return ((t ^ (t >> 14)) & m) / 4294967296.0

    def normal(self) -> float:
        """Box–Muller, one normal per pair of draws; u1 = 1 − next() lies in (0, 1]."""
        u1 = 1.0 - self.next()
        u2 = self.next()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def interval_noise(samples: int, dim: int, seed: int) -> np.ndarray:
    """ε [K, D] filled sample-major from a fresh mulberry32(seed)."""
    rng = Mulberry32(seed)
    return np.array([[rng.normal() for _ in range(dim)] for _ in range(samples)], dtype=np.float64)


@dataclass(frozen=True)
class VolumeEstimate:
    y0: float
    y_std: float
    volume_ml: float
    ci95_ml: tuple[float, float]


def estimate_volume(
    mu: np.ndarray,
    logvar: np.ndarray,
    head,
    vol_mean: float,
    vol_std: float,
    calibration_factor: float,
    noise: np.ndarray,
) -> VolumeEstimate:
    """PIPELINE §5 for one case. ``head`` maps z [N, D] float32 → y [N, 1] (a torch module wrapped
    as a numpy function, or the ONNX session); ``noise`` comes from interval_noise()."""
    mu = np.asarray(mu, dtype=np.float64).reshape(-1)
    logvar = np.asarray(logvar, dtype=np.float64).reshape(-1)
    y0 = float(np.asarray(head(mu[None, :].astype(np.float32))).reshape(-1)[0])
    z = mu[None, :] + np.exp(logvar / 2.0)[None, :] * noise
    ys = np.asarray(head(z.astype(np.float32)), dtype=np.float64).reshape(-1)
    s = float(ys.std())
    h = calibration_factor * 1.96 * s
    return VolumeEstimate(
        y0=y0,
        y_std=s,
        volume_ml=math.exp(vol_mean + vol_std * y0),
        ci95_ml=(math.exp(vol_mean + vol_std * (y0 - h)), math.exp(vol_mean + vol_std * (y0 + h))),
    )
