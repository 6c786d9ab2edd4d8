"""Synthetic 3D spleens: varied, anatomically plausible shapes with an exact voxel volume.

Geometry
--------
The spleen is built in its own frame (mm): ``x`` runs along the long axis (cranial pole at
negative x), ``y`` across the width, ``z`` through the thickness from the convex diaphragmatic
surface (negative z) to the concave visceral surface with the hilum (positive z).

Over the (x, y) footprint the organ is a *height field* along z: a point is inside when
``z_outer(x, y) <= z <= z_inner(x, y)``. That one choice keeps every anatomical feature
expressible (crescent cross-section, curved long axis, tapering poles, hilum concavity,
lobulation, notches on the superior border) and makes voxelisation a 2-D computation plus a
broadcast comparison, so a 2000 mL spleen voxelises in a fraction of a second.

With normalised coordinates ``t = x / (L/2)`` (along the length) and ``s`` (across the width,
-1..1 between the borders):

* footprint half-widths ``a+(t)``, ``a-(t)`` taper towards the poles (super-elliptic profile with
  pole asymmetry); notches cut into the superior border ``a+``;
* the long axis bends within the width plane (``y_c(t)``) and towards the hilum (``z_c(t)``);
* the cross-section is a crescent: its mid-surface curls towards the hilum at the borders and its
  half-thickness falls to zero at the borders (``(1 - s^2)^gamma``), optionally wedge-shaped;
* the visceral surface is pushed back by a Gaussian depression at the hilum;
* low-frequency lobulation modulates width and thickness.

The same predicate (``Spleen.contains``) is used by the views module to cut planes, so image masks
and the voxel volume describe exactly the same organ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .organ import OrganFrame

# Population mixture of target volumes (mL): (weight, median, log-sd). ~75% normal adults around
# 200 mL, a paediatric tail and a splenomegaly tail reaching massive spleens.
VOLUME_MIXTURE = (
    (0.75, 200.0, 0.28),
    (0.10, 85.0, 0.35),
    (0.15, 600.0, 0.55),
)
VOLUME_RANGE_ML = (40.0, 2000.0)

# Voxel size: 1 mm for typical spleens, finer for small ones so that their volume and
# principal extents are not dominated by the staircase of the surface.
VOXEL_MM_DEFAULT = 1.0
VOXEL_MM_SMALL = 0.75
SMALL_SPLEEN_ML = 120.0


@dataclass(frozen=True)
class ShapeParams:
    """Dimensionless form of one spleen plus its scale (length_mm). Widths/thicknesses are
    fractions of the length; the other numbers are documented where they are used."""

    length_mm: float
    width_ratio: float  # footprint width / length
    thickness_ratio: float  # max crescent thickness / length
    width_asym: float  # share of the width on the superior (+y) side, -0.2..0.2
    width_skew: float  # pole asymmetry of the width profile
    width_p: float  # super-ellipse exponents of the width profile (blunt vs pointed poles)
    width_q: float
    thick_skew: float
    thick_p: float
    thick_q: float
    bend_y: float  # long-axis bend within the width plane (fraction of the half-width)
    bend_z: float  # long-axis bend towards the hilum (fraction of the half-thickness)
    crescent: float  # cross-section curl of the borders towards the hilum
    gamma: float  # half-thickness falls as (1 - s^2)^gamma towards the borders
    wedge: float  # cross-section thicker at one border than the other
    hilum_t: float  # hilum position along the length (normalised)
    hilum_s: float  # hilum position across the width (normalised)
    hilum_depth: float  # fraction of the visceral half-thickness removed at the hilum
    hilum_sigma_t: float
    hilum_sigma_s: float
    lobe_amp: tuple[float, ...] = field(default_factory=tuple)  # lobulation along t (k = 2..)
    lobe_phase: tuple[float, ...] = field(default_factory=tuple)
    bump_amp: tuple[float, ...] = field(default_factory=tuple)  # thickness bumps across s
    bump_phase: tuple[float, ...] = field(default_factory=tuple)
    notch_t: tuple[float, ...] = field(default_factory=tuple)  # notches on the superior border
    notch_depth: tuple[float, ...] = field(default_factory=tuple)
    notch_width: tuple[float, ...] = field(default_factory=tuple)

    def scaled(self, length_mm: float) -> "ShapeParams":
        return ShapeParams(**{**self.__dict__, "length_mm": float(length_mm)})


def sample_target_volume(rng: np.random.Generator) -> float:
    """Draw a target volume (mL) from the population mixture, clipped to VOLUME_RANGE_ML."""
    weights = np.array([w for w, _, _ in VOLUME_MIXTURE])
    k = rng.choice(len(VOLUME_MIXTURE), p=weights / weights.sum())
    _, median, sd = VOLUME_MIXTURE[k]
    v = float(median * np.exp(sd * rng.standard_normal()))
    return float(np.clip(v, *VOLUME_RANGE_ML))


def sample_form(rng: np.random.Generator, target_ml: float) -> ShapeParams:
    """Draw the dimensionless form. Large spleens are a little rounder (splenomegaly blunts the
    crescent), which is part of why length formulas err more at the extremes.

    One shared *compactness* draw couples the parameters that set V/(L·W·T) (pole bluntness,
    how fast the thickness falls to the borders, crescent curl, long-axis bend). Drawn
    independently they would average out and squeeze the ratio around its mean; coupled, the
    population spans slender curved crescents (~0.3) to blunt, boxy organs (~0.6), which is the
    spread that makes the length formulas err on real spleens."""
    big = float(np.clip((np.log(target_ml) - np.log(250.0)) / np.log(6.0), 0.0, 1.0))
    compact = float(rng.uniform())

    def coupled(lo: float, hi: float, share: float = 0.7) -> float:
        """lo … hi, mostly following compactness, partly its own draw."""
        w = share * compact + (1.0 - share) * float(rng.uniform())
        return lo + (hi - lo) * w

    n_lobes = 4
    n_notches = int(rng.choice([0, 1, 2, 3], p=[0.35, 0.3, 0.25, 0.1]))
    return ShapeParams(
        length_mm=100.0,
        width_ratio=float(rng.uniform(0.48, 0.72) + 0.14 * big),
        thickness_ratio=float(rng.uniform(0.28, 0.45) + 0.1 * big),
        width_asym=float(rng.uniform(-0.15, 0.15)),
        width_skew=float(rng.uniform(-0.35, 0.35)),
        width_p=coupled(1.6, 4.2),
        width_q=coupled(1.3, 3.2),
        thick_skew=float(rng.uniform(-0.35, 0.35)),
        thick_p=coupled(1.6, 3.8),
        thick_q=coupled(1.2, 3.0),
        bend_y=float(rng.uniform(-0.35, 0.35)),
        bend_z=coupled(0.95, 0.05) * (1.0 - 0.5 * big),
        crescent=coupled(1.0, 0.05) * (1.0 - 0.5 * big),
        gamma=coupled(0.65, 0.18),
        wedge=float(rng.uniform(-0.45, 0.45)),
        hilum_t=float(rng.uniform(-0.12, 0.22)),
        hilum_s=float(rng.uniform(-0.2, 0.2)),
        hilum_depth=float(rng.uniform(0.25, 0.7)),
        hilum_sigma_t=float(rng.uniform(0.15, 0.35)),
        hilum_sigma_s=float(rng.uniform(0.2, 0.4)),
        lobe_amp=tuple(float(a) for a in rng.uniform(0, 0.06, n_lobes) / np.arange(1, n_lobes + 1)),
        lobe_phase=tuple(float(p) for p in rng.uniform(0, 2 * np.pi, n_lobes)),
        bump_amp=tuple(float(a) for a in rng.uniform(0, 0.06, 3)),
        bump_phase=tuple(float(p) for p in rng.uniform(0, 2 * np.pi, 3)),
        notch_t=tuple(float(t) for t in rng.uniform(-0.75, 0.75, n_notches)),
        notch_depth=tuple(float(d) for d in rng.uniform(0.08, 0.3, n_notches)),
        notch_width=tuple(float(w) for w in rng.uniform(0.025, 0.07, n_notches)),
    )


def _pole_profile(t: np.ndarray, skew: float, p: float, q: float) -> np.ndarray:
    """1 at the middle, 0 at |t| = 1; ``skew`` moves the widest point so one pole is blunter.
    ``t + skew (1 - t^2)`` is monotone for |skew| < 0.5 and keeps the poles at +-1."""
    tw = np.clip(t + skew * (1.0 - t * t), -1.0, 1.0)
    return np.power(np.clip(1.0 - np.abs(tw) ** p, 0.0, None), 1.0 / q)


def _lobulation(t: np.ndarray, amps: tuple[float, ...], phases: tuple[float, ...]) -> np.ndarray:
    out = np.ones_like(t)
    for k, (a, ph) in enumerate(zip(amps, phases), start=2):
        out = out + a * np.sin(k * np.pi * t / 2.0 + ph)
    return out


def surfaces(p: ShapeParams, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outer (diaphragmatic) and inner (visceral) surface heights z at footprint points (x, y) mm.
    Points outside the footprint get z_outer > z_inner (empty column). Broadcasts x with y."""
    half_l = p.length_mm / 2.0
    half_w = p.width_ratio * p.length_mm / 2.0
    half_t = p.thickness_ratio * p.length_mm / 2.0
    t = x / half_l
    tc = np.clip(t, -1.0, 1.0)

    lobes = _lobulation(tc, p.lobe_amp, p.lobe_phase)
    width_prof = _pole_profile(tc, p.width_skew, p.width_p, p.width_q) * lobes
    notches = np.ones_like(tc)
    for nt, nd, nw in zip(p.notch_t, p.notch_depth, p.notch_width):
        notches = notches - nd * np.exp(-(((tc - nt) / nw) ** 2))
    a_sup = half_w * (1.0 + p.width_asym) * width_prof * notches
    a_inf = half_w * (1.0 - p.width_asym) * width_prof

    y_center = p.bend_y * half_w * (tc * tc - 1.0 / 3.0)
    dy = y - y_center
    a = np.where(dy >= 0, a_sup, a_inf)
    s = dy / np.maximum(a, 1e-9)
    sc = np.clip(s, -1.0, 1.0)

    z_center = p.bend_z * half_t * (tc * tc - 1.0 / 3.0)
    mid = z_center + p.crescent * half_t * (sc * sc - 1.0 / 3.0)
    across = np.power(np.clip(1.0 - sc * sc, 0.0, None), p.gamma) * (1.0 + p.wedge * sc)
    bumps = np.ones_like(sc)
    for k, (ba, bp) in enumerate(zip(p.bump_amp, p.bump_phase), start=1):
        bumps = bumps + ba * np.cos(k * np.pi * sc + bp + 0.5 * k * tc)
    thick_prof = _pole_profile(tc, p.thick_skew, p.thick_p, p.thick_q) * lobes
    half = half_t * thick_prof * across * bumps

    hilum = p.hilum_depth * np.exp(
        -(((tc - p.hilum_t) / p.hilum_sigma_t) ** 2) - ((sc - p.hilum_s) / p.hilum_sigma_s) ** 2
    )
    z_outer = mid - half
    z_inner = mid + half * (1.0 - hilum)

    outside = (np.abs(t) >= 1.0) | (np.abs(s) >= 1.0) | (half <= 0)
    z_outer = np.where(outside, np.inf, z_outer)
    z_inner = np.where(outside, -np.inf, z_inner)
    return z_outer, z_inner


def _footprint_bounds(p: ShapeParams) -> tuple[tuple[float, float], ...]:
    """Generous (x, y, z) bounds of the organ in its frame (mm)."""
    half_l = p.length_mm / 2.0
    half_w = p.width_ratio * p.length_mm / 2.0
    half_t = p.thickness_ratio * p.length_mm / 2.0
    lob = 1.0 + sum(p.lobe_amp)
    y_ext = half_w * ((1.0 + abs(p.width_asym)) * lob + abs(p.bend_y))
    z_ext = half_t * (
        abs(p.bend_z) + abs(p.crescent) + (1.0 + abs(p.wedge)) * lob * (1.0 + sum(p.bump_amp))
    )
    return (-half_l, half_l), (-y_ext, y_ext), (-z_ext, z_ext)


def voxelise(p: ShapeParams, voxel_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Boolean voxel grid (z, y, x) of the shape at voxel_mm, cropped to the occupied region,
    and the frame position (x, y, z mm) of the corner of voxel [0, 0, 0]."""
    (x0, x1), (y0, y1), (z0, z1) = _footprint_bounds(p)
    nx, ny, nz = (int(np.ceil((hi - lo) / voxel_mm)) + 2 for lo, hi in ((x0, x1), (y0, y1), (z0, z1)))
    origin = np.array([x0, y0, z0]) - voxel_mm
    xc = origin[0] + (np.arange(nx) + 0.5) * voxel_mm
    yc = origin[1] + (np.arange(ny) + 0.5) * voxel_mm
    zc = origin[2] + (np.arange(nz) + 0.5) * voxel_mm
    z_out, z_in = surfaces(p, xc[None, :], yc[:, None])  # (ny, nx)
    # Only columns that hold material need the 3-D comparison.
    cols = z_in >= z_out
    rows_y = np.flatnonzero(cols.any(axis=1))
    rows_x = np.flatnonzero(cols.any(axis=0))
    if rows_y.size == 0:
        return np.zeros((0, 0, 0), dtype=bool), origin
    ys = slice(rows_y[0], rows_y[-1] + 1)
    xs = slice(rows_x[0], rows_x[-1] + 1)
    zo = z_out[ys, xs]
    zi = z_in[ys, xs]
    # Index range of z voxels whose centre lies in [z_out, z_in].
    k_lo = np.ceil((zo - origin[2]) / voxel_mm - 0.5)
    k_hi = np.floor((zi - origin[2]) / voxel_mm - 0.5)
    finite = np.isfinite(k_lo) & np.isfinite(k_hi)
    kmin = int(k_lo[finite].min())
    kmax = int(k_hi[finite].max())
    k = np.arange(kmin, kmax + 1)[:, None, None]
    vox = (k >= k_lo[None]) & (k <= k_hi[None])
    origin = origin + np.array([xs.start, ys.start, kmin]) * voxel_mm
    return vox, origin


@dataclass
class Spleen(OrganFrame):
    """One synthetic spleen. Frame: mm, x = long axis (cranial at -x), y = width, z = thickness
    (hilum towards +z). ``voxels[k, j, i]`` is voxel centre ``origin_mm + (i, j, k) + 0.5``·voxel."""

    seed: int
    params: ShapeParams
    voxels: np.ndarray  # bool (z, y, x)
    voxel_mm: float
    origin_mm: np.ndarray  # (x, y, z) of the corner of voxel [0, 0, 0]
    volume_ml: float
    centroid_mm: np.ndarray  # (x, y, z)
    axes: np.ndarray  # rows: principal axes (long, width, thickness), unit vectors in (x, y, z)
    L_mm: float
    W_mm: float
    T_mm: float
    hilum_point_mm: np.ndarray  # a point on the visceral surface at the hilum
    hilum_direction: np.ndarray  # unit vector, orthogonal to the long axis, towards the hilum

    def contains(self, points_mm: np.ndarray) -> np.ndarray:
        """Inside test for points (..., 3) given in the spleen frame (mm)."""
        pts = np.asarray(points_mm, dtype=np.float64)
        z_out, z_in = surfaces(self.params, pts[..., 0], pts[..., 1])
        return (pts[..., 2] >= z_out) & (pts[..., 2] <= z_in)


def _principal_frame(
    vox: np.ndarray, voxel_mm: float, origin: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid, principal axes (rows, by decreasing variance) and extents along them (mm).
    Extent = spread of voxel centres + the projected width of one voxel cube.

    Works from per-column sums (moments along z via a dot product) instead of listing every
    voxel, which keeps a 2000 mL spleen well under 0.1 s. Extremes of a projection over a column
    are reached at its first or last occupied voxel, so only those are projected."""
    nz, ny, nx = vox.shape
    v8 = vox.view(np.uint8)
    kc = np.arange(nz, dtype=np.float64) + 0.5
    n_col = v8.sum(axis=0, dtype=np.int64).astype(np.float64)  # (ny, nx)
    z1_col = np.tensordot(kc, v8, axes=(0, 0))
    z2_col = np.tensordot(kc * kc, v8, axes=(0, 0))
    xc = np.arange(nx, dtype=np.float64) + 0.5
    yc = np.arange(ny, dtype=np.float64)[:, None] + 0.5
    n = n_col.sum()
    m1 = np.array([(n_col * xc).sum(), (n_col * yc).sum(), z1_col.sum()]) / n
    sxx = (n_col * xc * xc).sum() / n
    syy = (n_col * yc * yc).sum() / n
    szz = z2_col.sum() / n
    sxy = (n_col * xc * yc).sum() / n
    sxz = (z1_col * xc).sum() / n
    syz = (z1_col * yc).sum() / n
    second = np.array([[sxx, sxy, sxz], [sxy, syy, syz], [sxz, syz, szz]])
    cov = second - np.outer(m1, m1)
    _, evecs = np.linalg.eigh(cov)
    axes = evecs[:, ::-1].T.copy()
    # Deterministic signs: long axis towards caudal (+x), thickness axis towards the hilum (+z),
    # width axis completes a right-handed frame.
    if axes[0, 0] < 0:
        axes[0] = -axes[0]
    if axes[2, 2] < 0:
        axes[2] = -axes[2]
    axes[1] = np.cross(axes[2], axes[0])
    centroid = origin + m1 * voxel_mm

    occupied = n_col > 0
    first = np.argmax(v8, axis=0)
    last = nz - 1 - np.argmax(v8[::-1], axis=0)
    jj, ii = np.nonzero(occupied)
    ends = np.concatenate([first[occupied], last[occupied]])
    pts = np.stack([np.tile(ii, 2), np.tile(jj, 2), ends], axis=1) + 0.5
    proj = (origin + pts * voxel_mm - centroid) @ axes.T
    extents = proj.max(axis=0) - proj.min(axis=0) + voxel_mm * np.abs(axes).sum(axis=1)
    return centroid, axes, extents


def _normalised_volume(form: ShapeParams) -> float:
    """Volume (mm^3) of the form at length 100 mm, from the height field (continuous estimate
    on a fine footprint grid); used only to pick the length that hits the target volume."""
    p = form.scaled(100.0)
    (x0, x1), (y0, y1), _ = _footprint_bounds(p)
    step = 0.5
    xc = np.arange(x0 + step / 2, x1, step)
    yc = np.arange(y0 + step / 2, y1, step)
    z_out, z_in = surfaces(p, xc[None, :], yc[:, None])
    return float(np.clip(z_in - z_out, 0.0, None).sum() * step * step)


def make_spleen(seed: int) -> Spleen:
    """The spleen for ``seed`` (deterministic): a target volume from the population, a random
    form scaled to that volume, voxelised, with its principal frame and extents."""
    rng = np.random.default_rng([int(seed), 0x5EED])
    target = sample_target_volume(rng)
    form = sample_form(rng, target)
    length = 100.0 * (target * 1000.0 / _normalised_volume(form)) ** (1.0 / 3.0)
    params = form.scaled(length)
    voxel = VOXEL_MM_SMALL if target < SMALL_SPLEEN_ML else VOXEL_MM_DEFAULT
    vox, origin = voxelise(params, voxel)
    volume_ml = float(vox.sum()) * voxel**3 / 1000.0
    centroid, axes, extents = _principal_frame(vox, voxel, origin)
    hilum_point = _hilum_point(params)
    hilum_dir = hilum_point - centroid
    hilum_dir = hilum_dir - (hilum_dir @ axes[0]) * axes[0]
    hilum_dir = hilum_dir / np.linalg.norm(hilum_dir)
    return Spleen(
        seed=int(seed),
        params=params,
        voxels=vox,
        voxel_mm=voxel,
        origin_mm=origin,
        volume_ml=volume_ml,
        centroid_mm=centroid,
        axes=axes,
        L_mm=float(extents[0]),
        W_mm=float(extents[1]),
        T_mm=float(extents[2]),
        hilum_point_mm=hilum_point,
        hilum_direction=hilum_dir,
    )


def _hilum_point(p: ShapeParams) -> np.ndarray:
    """The point of the visceral surface at the hilum centre (t_h, s_h)."""
    half_l = p.length_mm / 2.0
    x = p.hilum_t * half_l
    # Find y with s = hilum_s by evaluating the footprint on a fine line across the width.
    (_, _), (y0, y1), _ = _footprint_bounds(p)
    ys = np.linspace(y0, y1, 2001)
    z_out, z_in = surfaces(p, np.full_like(ys, x), ys)
    inside = np.flatnonzero(z_in >= z_out)
    y_lo, y_hi = ys[inside[0]], ys[inside[-1]]
    # s is linear in y on each side of the centre line; interpolate between the borders.
    y = 0.5 * (y_lo + y_hi) + p.hilum_s * 0.5 * (y_hi - y_lo)
    _, z = surfaces(p, np.array([x]), np.array([y]))
    return np.array([x, y, float(z[0])])


def ellipsoid_params(a_mm: float, b_mm: float, c_mm: float) -> ShapeParams:
    """A plain ellipsoid with semi-axes a (x), b (y), c (z) in this parametrisation — used to
    check the voxeliser against the analytic volume 4/3·pi·abc."""
    return ShapeParams(
        length_mm=2 * a_mm,
        width_ratio=b_mm / a_mm,
        thickness_ratio=c_mm / a_mm,
        width_asym=0.0,
        width_skew=0.0,
        width_p=2.0,
        width_q=2.0,
        thick_skew=0.0,
        thick_p=2.0,
        thick_q=2.0,
        bend_y=0.0,
        bend_z=0.0,
        crescent=0.0,
        gamma=0.5,
        wedge=0.0,
        hilum_t=0.0,
        hilum_s=0.0,
        hilum_depth=0.0,
        hilum_sigma_t=1.0,
        hilum_sigma_s=1.0,
    )
