"""Voxelising an implicit solid and scaling it to a target volume: the machinery shared by the
training families that define a spleen by an inside test (warpshapes.py, carveshapes.py).

It decides nothing about a shape: each family gives its inside test, a box that holds the solid and
the point above its hilum, all at a given scale. altshapes.py keeps its own code on purpose: it is
the shape-shift yardstick and shares nothing with the training families but organ.py's geometry."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage

from .organ import VoxelSpleen, voxel_spleen

#: inside(scale, x, y, z) on open grids x (1, 1, nx), y (1, ny, 1), z (nz, 1, 1) in mm → bool (nz, ny, nx)
Inside = Callable[[float, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
#: bounds(scale) → (lo, hi): a box (x, y, z; mm) that holds the solid
Bounds = Callable[[float], tuple[np.ndarray, np.ndarray]]


def voxelise(inside: Inside, bounds: Bounds, scale: float, voxel_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """(voxels bool (z, y, x), origin (x, y, z) of voxel [0, 0, 0]'s corner), largest component only."""
    lo, hi = bounds(scale)
    lo, hi = lo - 2 * voxel_mm, hi + 2 * voxel_mm
    shape = np.ceil((hi - lo) / voxel_mm).astype(int)
    x, y, z = (lo[d] + (np.arange(shape[d]) + 0.5) * voxel_mm for d in range(3))
    vox = inside(scale, x[None, None, :], y[None, :, None], z[:, None, None])
    labels, n = ndimage.label(vox)
    if n > 1:
        sizes = ndimage.sum(vox, labels, index=np.arange(1, n + 1))
        vox = labels == (1 + int(np.argmax(sizes)))
    return vox, lo


def scaled_spleen(seed: int, rng: np.random.Generator, target_ml: float, voxel_mm: float, inside: Inside,
                  bounds: Bounds, notch: Callable[[float], np.ndarray]) -> VoxelSpleen:
    """The solid voxelised at scale 1, scaled so that its volume is target_ml, voxelised again (the
    volume then counted from the voxels) and framed by organ.voxel_spleen (which draws from rng)."""
    vox, _ = voxelise(inside, bounds, 1.0, voxel_mm)
    scale = (target_ml / (vox.sum() * voxel_mm**3 / 1000.0)) ** (1.0 / 3.0)
    vox, origin = voxelise(inside, bounds, scale, voxel_mm)
    return voxel_spleen(seed, vox, origin, voxel_mm, notch(scale), rng)
