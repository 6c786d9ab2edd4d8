"""A second ultrasound look, written apart from ultrasound.py on purpose: a domain-shift probe.

The models will be checked on held-out data made by different code with its own ultrasound look.
This module renders the test split's masks with a deliberately different image model, so that
`spv_train.robustness` can say how much the U-Net (and the volumes after it) lose when the look
changes. It shares nothing with ultrasound.py but the image size:

* field of view: a sector from an apex chosen to contain the mask (or, in a third of the images, a
  linear array's rectangle), instead of the probe model;
* tissue: piecewise-constant regions (a background with blobs and tubular "vessels"), the spleen
  anywhere from clearly darker to clearly brighter than its surroundings, the capsule drawn (or not)
  as a thin ring with gaps in image space;
* speckle: multiplicative gamma-distributed intensity (Nakagami-like, shape 0.7–3) smoothed by an
  anisotropic kernel in Cartesian space, rather than a complex field in beam coordinates;
* depth: exponential loss with only partly corrected gain, vertical shadows, power-law display map.

Not used for training: it is the yardstick for variety, so mixing it into training would hide what it
is there to show.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

IMAGE_SHAPE = (320, 384)


def _field(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), sigma)
    return (noise - noise.mean()) / (noise.std() + 1e-12)


def _field_of_view(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sector from an apex above the image centre wide enough for the mask, or a rectangle."""
    rows, cols = mask.shape
    if rng.uniform() < 1 / 3:
        return np.ones(mask.shape, dtype=bool)
    apex_y = -rng.uniform(15.0, 90.0)
    apex_x = cols / 2.0
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    angle = np.degrees(np.arctan2(xx - apex_x, yy - apex_y))
    needed = float(np.abs(angle[mask > 0]).max()) + rng.uniform(3.0, 12.0)
    half = max(needed, rng.uniform(25.0, 40.0))
    radius = np.hypot(xx - apex_x, yy - apex_y)
    first_row = int(np.flatnonzero(mask.any(axis=1))[0])
    near_field = min(rng.uniform(0.0, 10.0), max(0.0, first_row - 3.0))  # never cuts the spleen
    return (np.abs(angle) <= half) & (radius >= -apex_y + near_field)


def _paint_background(rng: np.random.Generator, shape: tuple[int, int], spleen: np.ndarray) -> np.ndarray:
    rows, cols = shape
    level = rng.uniform(0.4, 1.0) * np.exp(rng.uniform(0.1, 0.4) * _field(rng, shape, rng.uniform(10, 40)))
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    for _ in range(int(rng.integers(2, 7))):  # organs, bowel, fluid: ellipses of any brightness
        cy, cx = rng.uniform(0, rows), rng.uniform(0, cols)
        ay, ax = rng.uniform(10, 70), rng.uniform(10, 90)
        theta = rng.uniform(0, np.pi)
        u = ((xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)) / ax
        v = (-(xx - cx) * np.sin(theta) + (yy - cy) * np.cos(theta)) / ay
        level = np.where(u**2 + v**2 < 1, rng.uniform(0.05, 1.6), level)
    for _ in range(int(rng.integers(0, 4))):  # vessels: short dark tubes
        y0, x0, angle = rng.uniform(0, rows), rng.uniform(0, cols), rng.uniform(0, np.pi)
        across = np.abs((xx - x0) * np.sin(angle) - (yy - y0) * np.cos(angle))
        along = np.abs((xx - x0) * np.cos(angle) + (yy - y0) * np.sin(angle))
        tube = (across < rng.uniform(2, 8)) & (along < rng.uniform(10, 45))
        level = np.where(tube, rng.uniform(0.02, 0.15), level)
    # Keep the spleen's own outline: whatever was painted over it is replaced below.
    return np.where(spleen, level.mean(), level)


def render(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 image (IMAGE_SHAPE) of a 0/1 spleen section ``mask`` in the second look."""
    if mask.shape != IMAGE_SHAPE:
        raise ValueError(f"mask shape {mask.shape} != {IMAGE_SHAPE}")
    spleen = mask > 0
    rows, cols = mask.shape
    tissue = _paint_background(rng, mask.shape, spleen)
    surround = float(np.median(tissue[ndimage.binary_dilation(spleen, iterations=15) & ~spleen]))
    # Darker or brighter than its surroundings (never matched exactly: a spleen that only a capsule
    # could separate is ultrasound.py's hard case, not this probe's).
    contrast = rng.uniform(0.55, 0.87) if rng.uniform() < 0.4 else rng.uniform(1.15, 1.8)
    spleen_level = surround * contrast
    texture = np.exp(rng.uniform(0.03, 0.25) * _field(rng, mask.shape, rng.uniform(2, 8)))
    tissue = np.where(spleen, spleen_level * texture, tissue)
    if rng.uniform() < 0.5:  # a capsule ring, with gaps
        ring = spleen ^ ndimage.binary_erosion(spleen, iterations=int(rng.integers(1, 3)))
        ring &= _field(rng, mask.shape, rng.uniform(6, 20)) > rng.uniform(-1.0, 0.5)
        tissue = np.where(ring, spleen_level * rng.uniform(1.3, 2.5), tissue)

    shape_k = rng.uniform(0.7, 3.0)
    speckle = rng.gamma(shape_k, 1.0 / shape_k, mask.shape)
    speckle = ndimage.gaussian_filter(speckle, (rng.uniform(0.5, 1.3), rng.uniform(1.0, 2.8)))
    speckle /= speckle.mean()
    depth = np.arange(rows, dtype=np.float64)[:, None] / rows
    loss = np.exp(-rng.uniform(0.5, 3.0) * depth * rng.uniform(0.0, 0.7))  # partly corrected
    intensity = tissue * speckle * loss
    for _ in range(int(rng.integers(0, 3))):  # shadows from the top
        x0, width = rng.uniform(0, cols), rng.uniform(8, 40)
        band = np.abs(np.arange(cols) - x0) < width / 2
        intensity[:, band] *= rng.uniform(0.15, 0.6)

    display = np.log1p(rng.uniform(5.0, 40.0) * intensity)
    display = rng.uniform(0.6, 1.0) * display / np.percentile(display, rng.uniform(98.0, 99.9))
    display = np.clip(display, 0.0, 1.0) ** rng.uniform(0.6, 1.6)
    display = display + rng.uniform(0.0, 0.04) * rng.standard_normal(mask.shape)
    if rng.uniform() < 0.5:
        display = ndimage.gaussian_filter(display, rng.uniform(0.4, 1.2))
    out = np.clip(np.round(np.clip(display, 0.0, 1.0) * 255.0), 0, 255).astype(np.uint8)
    out[~_field_of_view(mask, rng)] = 0
    return out
