"""A second spleen family for training: warped, lobulated super-ellipsoids.

Why a second family. `shape_shift` showed that the RVAEs, trained on shapes.py alone, lose their
lead over the length formulas on spleens from another generator (altshapes.py): they had learnt
how one family's sections relate to its volume. Training on more than one family should teach
them what holds across families. altshapes.py stays out of training, so that it still measures
the shift; this module is written apart from both (no height field over a footprint as in
shapes.py, no bead chain as in altshapes.py) and shares only the derived geometry of organ.py.

The organ is an implicit solid in its own frame (mm; x along the length, y across the width, z
through the thickness towards the hilum at +z): a point is inside when

    |u/a(u)|^p(u) + |v/b(v)|^q + |w/c(u, v, w)|^r <= 1 + lobes(x, y)

where (u, v, w) are (x, y, z) un-warped:
* crescent: w = z - c·(k_len·(x/a)^2 + k_wid·(y/b)^2) curls the poles and the borders towards
  the hilum, so the visceral surface is concave and the diaphragmatic one convex;
* bend: v = y - b·bend·(x/a)^2 curves the long axis within the width plane;
* poles: a and p differ between the two poles (one may be a long, pointed "tongue"), and the
  thickness tapers towards them;
* borders: b differs between the superior and inferior borders;
* hilum: on the visceral side (w > 0) c is pushed back by a Gaussian dent at the hilum;
* lobes: a sum of low-frequency waves over (x, y) modulates the surface (lobulation, clefts).
The exponents p, q, r (1.4–3.2) set how pointed or boxy the organ is, so V/(L·W·T) spans roughly
0.3–0.6 without a coupled draw. Enlarged spleens are drawn rounder, thicker and less curled, as
splenomegaly blunts the crescent. The volume is scaled to a target from this module's own mixture
and counted exactly from the voxels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .implicit import scaled_spleen
from .organ import VoxelSpleen

VOXEL_MM = 1.0
VOXEL_MM_SMALL = 0.8  # below SMALL_ML, so that small spleens are not dominated by the staircase
SMALL_ML = 130.0


@dataclass(frozen=True)
class WarpForm:
    """One spleen's form at a nominal length of 100 mm (`scale` multiplies every length)."""

    half_len: tuple[float, float]  # a at the superior (-x) and inferior (+x) pole
    len_exp: tuple[float, float]  # p at each pole
    half_wid: tuple[float, float]  # b at the inferior (-y) and superior (+y) border
    wid_exp: float  # q
    half_thick: float  # c at the middle
    thick_exp: float  # r
    taper: float  # c falls by this share towards the poles
    curl_len: float  # k_len
    curl_wid: float  # k_wid
    bend: float
    hilum: tuple[float, float, float, float, float]  # x, y (shares of a, b), depth, sigma x, sigma y (shares)
    lobes: np.ndarray  # rows: amplitude, frequency x, frequency y, phase x, phase y


def sample_volume(rng: np.random.Generator) -> float:
    """Small (10%, 45–130 mL), adult (66%, median 190 mL) or enlarged (24%, median 700 mL, to 2000)."""
    u = rng.uniform()
    if u < 0.10:
        return float(rng.uniform(45.0, 130.0))
    if u < 0.76:
        return float(np.clip(rng.lognormal(np.log(190.0), 0.3), 90.0, 480.0))
    return float(np.clip(rng.lognormal(np.log(700.0), 0.5), 380.0, 2000.0))


def sample_form(rng: np.random.Generator, volume_ml: float) -> WarpForm:
    big = float(np.clip(np.log(volume_ml / 300.0) / np.log(5.0), 0.0, 1.0))  # 0 up to 300 mL, 1 at 1500
    # One "boxiness" draw shifts all three exponents together: drawn apart they average out and
    # squeeze V/(L·W·T) around its mean; together they span pointed (~0.3) to boxy (~0.6) organs.
    boxy = float(rng.uniform())

    def exponent(lo: float, hi: float) -> float:
        return lo + (hi - lo) * (0.75 * boxy + 0.25 * float(rng.uniform())) + 0.4 * big

    tongue = rng.uniform() < 0.25  # one pole drawn out long and pointed
    pole_a = rng.uniform(0.85, 1.15, 2) * 50.0
    pole_p = np.array([exponent(1.2, 3.2), exponent(1.2, 3.2)])
    if tongue:
        k = int(rng.integers(2))
        pole_a[k] *= rng.uniform(1.15, 1.4)
        pole_p[k] = rng.uniform(1.2, 1.7)
    width = 50.0 * (rng.uniform(0.45, 0.75) + 0.12 * big)
    asym = rng.uniform(-0.15, 0.15)
    n_lobes = int(rng.integers(1, 5))
    lobes = np.stack([
        rng.uniform(0.0, 0.12, n_lobes) / np.arange(1, n_lobes + 1),
        rng.uniform(0.5, 3.0, n_lobes),
        rng.uniform(0.5, 2.5, n_lobes),
        rng.uniform(0.0, 2 * np.pi, n_lobes),
        rng.uniform(0.0, 2 * np.pi, n_lobes),
    ], axis=1)
    return WarpForm(
        half_len=(float(pole_a[0]), float(pole_a[1])),
        len_exp=(float(pole_p[0]), float(pole_p[1])),
        half_wid=(width * (1.0 - asym), width * (1.0 + asym)),
        wid_exp=exponent(1.4, 3.2),
        half_thick=50.0 * float(rng.uniform(0.22, 0.4) + 0.1 * big),
        thick_exp=exponent(1.2, 3.0),
        taper=float(rng.uniform(0.0, 0.6)),
        curl_len=float(rng.uniform(0.0, 1.1) * (1.0 - 0.6 * big)),
        curl_wid=float(rng.uniform(0.1, 1.3) * (1.0 - 0.6 * big)),
        bend=float(rng.uniform(-0.3, 0.3)),
        hilum=(
            float(rng.uniform(-0.25, 0.3)),
            float(rng.uniform(-0.3, 0.3)),
            float(rng.uniform(0.25, 0.65) * (1.0 - 0.4 * big)),
            float(rng.uniform(0.15, 0.35)),
            float(rng.uniform(0.2, 0.45)),
        ),
        lobes=lobes,
    )


def _inside(form: WarpForm, scale: float, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The implicit solid on open grids x (1, 1, nx), y (1, ny, 1), z (nz, 1, 1), in mm."""
    a_lo, a_hi = (scale * h for h in form.half_len)
    b_lo, b_hi = (scale * h for h in form.half_wid)
    c0 = scale * form.half_thick
    a = np.where(x < 0, a_lo, a_hi)
    p = np.where(x < 0, form.len_exp[0], form.len_exp[1])
    xn = x / a  # -1..1 along the length
    b = 0.5 * (b_lo + b_hi)
    v = y - b * form.bend * xn**2
    bv = np.where(v < 0, b_lo, b_hi)
    yn = v / bv
    w = z - c0 * (form.curl_len * xn**2 + form.curl_wid * yn**2)
    c = c0 * (1.0 - form.taper * np.minimum(xn**2, 1.0))
    hx, hy, depth, sx, sy = form.hilum
    dent = depth * np.exp(-(((xn - hx) / sx) ** 2) - ((yn - hy) / sy) ** 2)
    c_side = np.where(w > 0, c * (1.0 - dent), c)
    lobes = np.zeros(np.broadcast(x, y).shape)
    for amp, fx, fy, px, py in form.lobes:
        lobes = lobes + amp * np.sin(fx * np.pi * xn + px) * np.cos(fy * np.pi * yn + py)
    level = np.abs(xn) ** p + np.abs(yn) ** form.wid_exp + np.abs(w / np.maximum(c_side, 1e-6)) ** form.thick_exp
    return level <= 1.0 + lobes


def _bounds(form: WarpForm, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A box (x, y, z; mm) that holds the solid: the un-warped box, grown by the warps and lobes."""
    reach = 1.25  # level <= 1 + lobes with lobes < 0.25 stays inside 1.25 of each half-axis
    a_lo, a_hi = (reach * scale * h for h in form.half_len)
    b = reach * scale * max(form.half_wid)
    c = reach * scale * form.half_thick
    bend = abs(form.bend) * scale * 0.5 * sum(form.half_wid) * reach**2
    curl = scale * form.half_thick * (form.curl_len + form.curl_wid) * reach**2
    lo = np.array([-a_lo, -b - bend, -c])
    hi = np.array([a_hi, b + bend, c + curl])
    return lo, hi


def _notch(form: WarpForm, scale: float) -> np.ndarray:
    """The un-dented visceral surface above the hilum's centre (x, y, z; mm)."""
    hx, hy = form.hilum[:2]
    x = hx * scale * form.half_len[0 if hx < 0 else 1]
    b_mid = 0.5 * scale * sum(form.half_wid)
    y = hy * scale * form.half_wid[0 if hy < 0 else 1] + b_mid * form.bend * hx**2
    c0 = scale * form.half_thick
    return np.array([x, y, c0 * (form.curl_len * hx**2 + form.curl_wid * hy**2 + 1.0)])


def make_warped_spleen(seed: int) -> VoxelSpleen:
    """The spleen for `seed` (deterministic): a target volume, a form scaled to it, voxelised."""
    rng = np.random.default_rng([int(seed), 0x3A9F])
    target = sample_volume(rng)
    form = sample_form(rng, target)
    voxel = VOXEL_MM_SMALL if target < SMALL_ML else VOXEL_MM
    return scaled_spleen(seed, rng, target, voxel, partial(_inside, form), partial(_bounds, form),
                         partial(_notch, form))
