"""A second spleen-shape generator, written apart from shapes.py on purpose: a shape-shift probe.

The models will be checked on held-out data made by different code with its own shapes. This
module builds spleens in a different way from shapes.py, so that `spv_train.shape_shift` can say
how much the U-Net, the RVAEs and the length formulas lose when the shapes come from elsewhere.
It shares no generation code with shapes.py: no height fields over a footprint, no shared
parameters (only the derived geometry of organ.OrganFrame).

* form: a chain of 7–11 overlapping ellipsoidal beads along a bent, slightly twisted centreline
  (the poles curl towards the hilum, so the organ is a crescent), each bead's width and thickness
  from a tapering profile with its own exponents, pole asymmetry and per-bead bumps (lobulation);
  the union is smoothed (Gaussian, 1.5–3 mm) and thresholded;
* hilum: an ellipsoid subtracted from the concave side, off-centre along the length and across;
* clefts: 0–3 thin slabs cut into the border, as the notches of a real spleen's superior border;
* size: a clinical mixture of volumes (small, adult, enlarged up to 2000 mL) reached by scaling
  the whole form, the exact volume counted from the 1 mm voxels.

The result has the attributes views.py and dataset.py read from a shapes.Spleen (axes, extents,
hilum point and direction, `contains`), so the same views and simulators cut and image it.
Not used for training: like altlook.py, it is a yardstick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .organ import VoxelSpleen, voxel_spleen

VOXEL_MM = 1.0


@dataclass
class _Form:
    """Everything drawn for one spleen, at a nominal length; `scale` multiplies every length."""

    length: float
    width: float
    thickness: float
    bend: float  # sagitta of the centreline towards +z at the poles, as a share of the length
    twist: float  # S-shaped sideways offset, as a share of the length
    beads: np.ndarray  # bead parameters t in [-1, 1]
    bumps: np.ndarray  # per-bead radius factors (lobulation)
    width_profile: tuple[float, float, float]  # exponents p, q and pole asymmetry
    thickness_profile: tuple[float, float, float]
    smooth_mm: float
    hilum: tuple[float, float, float, float, float, float]  # t, across, lift, radii (long, across, deep)
    clefts: np.ndarray  # rows: t, depth (share of the width), half-thickness (mm), tilt (rad)


def sample_volume(rng: np.random.Generator) -> float:
    """Small (8%), adult (70%, median 210 mL) or enlarged (22%, log-uniform 400–2000 mL)."""
    u = rng.uniform()
    if u < 0.08:
        return float(rng.uniform(40.0, 120.0))
    if u < 0.78:
        return float(np.clip(rng.lognormal(np.log(210.0), 0.28), 100.0, 450.0))
    return float(np.exp(rng.uniform(np.log(400.0), np.log(2000.0))))


def _draw_form(rng: np.random.Generator) -> _Form:
    n_beads = int(rng.integers(7, 12))
    return _Form(
        length=100.0,
        width=100.0 * rng.uniform(0.55, 0.9),
        thickness=100.0 * rng.uniform(0.28, 0.5),
        bend=rng.uniform(0.03, 0.15),
        twist=rng.uniform(-0.05, 0.05),
        beads=np.linspace(-0.92, 0.92, n_beads),
        bumps=1.0 + 0.07 * rng.standard_normal(n_beads),
        width_profile=(rng.uniform(2.5, 5.0), rng.uniform(1.5, 3.0), rng.uniform(-0.25, 0.25)),
        thickness_profile=(rng.uniform(2.5, 5.0), rng.uniform(1.5, 3.0), rng.uniform(-0.25, 0.25)),
        smooth_mm=rng.uniform(1.5, 3.0),
        hilum=(
            rng.uniform(-0.2, 0.25),
            rng.uniform(-0.15, 0.15),
            rng.uniform(0.8, 1.2),
            rng.uniform(0.15, 0.3),
            rng.uniform(0.2, 0.35),
            rng.uniform(0.3, 0.55),
        ),
        clefts=np.array(
            [
                [rng.uniform(-0.6, 0.6), rng.uniform(0.1, 0.25), rng.uniform(1.0, 2.0), rng.uniform(-0.4, 0.4)]
                for _ in range(int(rng.integers(0, 4)))
            ]
        ).reshape(-1, 4),
    )


def _profile(t: np.ndarray, half: float, shape: tuple[float, float, float]) -> np.ndarray:
    p, q, asym = shape
    taper = np.clip(1.0 - np.abs(t) ** p, 0.0, 1.0) ** (1.0 / q)
    return half * np.maximum(taper * (1.0 + asym * t), 0.12)


def _centreline(form: _Form, t: np.ndarray, scale: float) -> np.ndarray:
    """Points (n, 3) in mm: x along the length, y sideways, z towards the hilum."""
    half = 0.5 * form.length * scale
    x = half * t
    y = form.twist * form.length * scale * t**3
    z = form.bend * form.length * scale * (t**2 - 1.0 / 3.0)
    return np.stack([x, y, z], axis=1)


def _voxelise(form: _Form, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(voxels bool (z, y, x), origin (x, y, z), hilum notch centre (x, y, z)), all in mm."""
    t = form.beads
    centres = _centreline(form, t, scale)
    half_w = _profile(t, 0.5 * form.width * scale, form.width_profile) * form.bumps
    half_t = _profile(t, 0.5 * form.thickness * scale, form.thickness_profile) * form.bumps
    half_l = np.full_like(t, 0.8 * form.length * scale / (len(t) - 1))
    slope = np.gradient(centres[:, 2], centres[:, 0])
    tilt = np.arctan(slope)
    reach = np.max(np.stack([half_l, half_w, half_t], 1), axis=1)
    margin = 4.0 + 2.0 * form.smooth_mm
    lo = (centres - reach[:, None]).min(axis=0) - margin
    hi = (centres + reach[:, None]).max(axis=0) + margin
    shape = np.ceil((hi - lo) / VOXEL_MM).astype(int)  # (nx, ny, nz)
    vox = np.zeros((shape[2], shape[1], shape[0]), dtype=bool)
    axis_coords = [lo[d] + (np.arange(shape[d]) + 0.5) * VOXEL_MM for d in range(3)]
    for c, a, b, h, ang, r in zip(centres, half_l, half_w, half_t, tilt, reach):
        sl = [slice(max(0, int((c[d] - r - lo[d]) / VOXEL_MM)), min(shape[d], int((c[d] + r - lo[d]) / VOXEL_MM) + 2)) for d in range(3)]
        zz, yy, xx = np.meshgrid(axis_coords[2][sl[2]], axis_coords[1][sl[1]], axis_coords[0][sl[0]], indexing="ij")
        dx, dy, dz = xx - c[0], yy - c[1], zz - c[2]
        u = dx * np.cos(ang) + dz * np.sin(ang)  # along the local tangent
        w = -dx * np.sin(ang) + dz * np.cos(ang)  # across it, towards the hilum
        vox[sl[2], sl[1], sl[0]] |= (u / a) ** 2 + (dy / b) ** 2 + (w / h) ** 2 <= 1.0
    vox = ndimage.gaussian_filter(vox.astype(np.float32), form.smooth_mm / VOXEL_MM) > 0.5

    # Open grids: each expression below broadcasts to the full volume only in its final mask.
    xx = axis_coords[0][None, None, :]
    yy = axis_coords[1][None, :, None]
    zz = axis_coords[2][:, None, None]
    th, across, lift, rl, ra, rd = form.hilum
    hc = _centreline(form, np.array([th]), scale)[0]
    h_local = float(_profile(np.array([th]), 0.5 * form.thickness * scale, form.thickness_profile)[0])
    notch = hc + np.array([0.0, across * form.width * scale, lift * h_local])
    vox &= (
        ((xx - notch[0]) / (rl * form.length * scale)) ** 2
        + ((yy - notch[1]) / (ra * form.width * scale)) ** 2
        + ((zz - notch[2]) / (rd * form.thickness * scale)) ** 2
        > 1.0
    )
    for tc, depth, half_thick, ang in form.clefts:
        cc = _centreline(form, np.array([tc]), scale)[0]
        border = float(_profile(np.array([tc]), 0.5 * form.width * scale, form.width_profile)[0])
        normal = (np.cos(ang), np.sin(ang))  # in the x-y plane, mostly along the length
        across_cut = np.abs((xx - cc[0]) * normal[0] + (yy - cc[1]) * normal[1]) < half_thick
        vox &= ~(across_cut & (yy - cc[1] > border * (1.0 - 2.0 * depth)))
    labels, n = ndimage.label(vox)
    if n > 1:
        sizes = ndimage.sum(vox, labels, index=np.arange(1, n + 1))
        vox = labels == (1 + int(np.argmax(sizes)))
    return vox, lo, notch


def make_alt_spleen(seed: int) -> VoxelSpleen:
    rng = np.random.default_rng([int(seed), 0xA17])
    target = sample_volume(rng)
    form = _draw_form(rng)
    vox, origin, notch = _voxelise(form, 1.0)
    scale = (target / (vox.sum() * VOXEL_MM**3 / 1000.0)) ** (1.0 / 3.0)
    vox, origin, notch = _voxelise(form, scale)
    return voxel_spleen(seed, vox, origin, VOXEL_MM, notch, rng)
