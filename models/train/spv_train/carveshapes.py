"""A third spleen family for training: a convex body carved by quadrics.

Why a third family. Training on shapes.py and warpshapes.py taught the RVAEs the warped family
without carrying over to the unseen altshapes.py yardstick (training README, rounds 9–12): one
coronal section does not show the thickness, so the single view infers it from the proportions of
the families it has seen, and two families do not pin down a third's. This module adds a family
built in yet another way, so that a model trained on several learns what holds across them.
It shares no generation code with shapes.py (a height field over a footprint), warpshapes.py (one
warped implicit super-ellipsoid) or altshapes.py (a smoothed chain of beads, never trained on);
only the derived geometry of organ.py.

The anatomy it follows: the spleen is a wedge, an "orange segment" — a convex diaphragmatic
surface, and a visceral surface hollowed by the stomach and divided by a ridge into the gastric
(front) and renal (back) facets, with the hilum on that ridge and notches on the superior border.
Built by constructive solid geometry in the organ's frame (mm; x along the length, y across the
width towards the superior border at +y, z through the thickness towards the visceral side at +z):

* body: a super-ellipsoid |x/a|^e + |v/b|^e + |z/c|^e <= 1 (a differs between the poles, e from
  1.4 to 2.3 sets how boxy it is), its long axis bent within the width plane (v = y - bend·b·(x/a)^2);
* hollow: a larger ellipsoid above the visceral side bites a share of the thickness out of the
  middle and less towards the poles (the stomach's impression: a concave visceral surface);
* facets: two half-spaces tilted front and back cut the visceral side into a ridge;
* hilum: a small ellipsoid removed on the ridge; notches: 0–3 thin ellipsoids cut into the
  superior border.

Enlarged spleens are drawn thicker, boxier and less hollowed. V/(L·W·T) spans roughly 0.3–0.6.
The volume is scaled to a target from this module's own mixture and counted from the voxels.
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
class CarvedForm:
    """One spleen's form at a nominal length of 100 mm (`scale` multiplies every length)."""

    half_len: tuple[float, float]  # a at the -x and +x pole
    half_wid: float  # b
    half_thick: float  # c
    exponent: float  # e of the body
    bend: float  # long axis curved within the width plane, share of b at the poles
    hollow: tuple[float, float, float, float]  # bite (share of 2c), reach along x and y (shares of a, b), depth ratio
    facets: tuple[float, float, float, float]  # tilt front and back (rad), depth front and back (1: no cut)
    hilum: tuple[float, float, float, float, float]  # x (share of a), y (share of b), radii x, y, z (shares of a, b, c)
    notches: np.ndarray  # rows: x (share of a), depth (share of b), half-width (share of a)


def sample_volume(rng: np.random.Generator) -> float:
    """Small (9%, 40–130 mL), adult (65%, median 200 mL) or enlarged (26%, log-uniform 380–2000 mL)."""
    u = rng.uniform()
    if u < 0.09:
        return float(rng.uniform(40.0, 130.0))
    if u < 0.74:
        return float(np.clip(rng.lognormal(np.log(200.0), 0.3), 90.0, 480.0))
    return float(np.exp(rng.uniform(np.log(380.0), np.log(2000.0))))


def sample_form(rng: np.random.Generator, volume_ml: float) -> CarvedForm:
    big = float(np.clip(np.log(volume_ml / 300.0) / np.log(5.0), 0.0, 1.0))  # 0 up to 300 mL, 1 at 1500
    n_notches = int(rng.integers(0, 4))
    notches = np.stack([
        rng.uniform(-0.6, 0.6, n_notches),
        rng.uniform(0.08, 0.3, n_notches),
        rng.uniform(0.015, 0.05, n_notches),
    ], axis=1) if n_notches else np.zeros((0, 3))
    poles = 50.0 * rng.uniform(0.8, 1.2, 2)
    return CarvedForm(
        half_len=(float(poles[0]), float(poles[1])),
        half_wid=50.0 * float(rng.uniform(0.5, 0.8) + 0.2 * big),
        half_thick=50.0 * float(rng.uniform(0.28, 0.5) + 0.2 * big),
        exponent=float(rng.uniform(1.4, 2.3) + 0.3 * big),
        bend=float(rng.uniform(-0.35, 0.35)),
        hollow=(
            float(rng.uniform(0.15, 0.55) * (1.0 - 0.4 * big)),
            float(rng.uniform(0.9, 1.6)),
            float(rng.uniform(0.6, 1.3)),
            float(rng.uniform(1.0, 2.5)),
        ),
        facets=(
            float(rng.uniform(0.4, 1.0)),
            float(rng.uniform(0.4, 1.0)),
            float(rng.uniform(0.45, 0.95) + 0.15 * big),
            float(rng.uniform(0.45, 0.95) + 0.15 * big),
        ),
        hilum=(
            float(rng.uniform(-0.3, 0.3)),
            float(rng.uniform(-0.25, 0.25)),
            float(rng.uniform(0.12, 0.3)),
            float(rng.uniform(0.1, 0.25)),
            float(rng.uniform(0.25, 0.5)),
        ),
        notches=notches,
    )


def _inside(form: CarvedForm, scale: float, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The carved solid on open grids x (1, 1, nx), y (1, ny, 1), z (nz, 1, 1), in mm."""
    a = np.where(x < 0, scale * form.half_len[0], scale * form.half_len[1])
    b, c, e = scale * form.half_wid, scale * form.half_thick, form.exponent
    xn = x / a
    v = y - b * form.bend * xn**2
    body = np.abs(xn) ** e + np.abs(v / b) ** e + np.abs(z / c) ** e <= 1.0
    # The hollow: an ellipsoid whose lowest point, over the middle, is `bite` of the thickness below
    # the top (z = c); its reach along x and y sets how fast the bite fades towards the poles.
    bite, reach_x, reach_y, depth_ratio = form.hollow
    rx, ry = reach_x * a, reach_y * b
    rz = depth_ratio * c
    floor = c - 2.0 * bite * c
    hollow = (xn * a / rx) ** 2 + (v / ry) ** 2 + ((z - floor - rz) / rz) ** 2 < 1.0
    # Facets: the visceral side cut front (+v) and back (-v) by planes tilted from +z.
    tilt_f, tilt_b, depth_f, depth_b = form.facets
    front = np.sin(tilt_f) * v + np.cos(tilt_f) * z > depth_f * (np.sin(tilt_f) * b + np.cos(tilt_f) * c) * 0.75
    back = -np.sin(tilt_b) * v + np.cos(tilt_b) * z > depth_b * (np.sin(tilt_b) * b + np.cos(tilt_b) * c) * 0.75
    hx, hy, hrx, hry, hrz = form.hilum
    hilum = (((x - hx * a) / (hrx * a)) ** 2 + ((v - hy * b) / (hry * b)) ** 2
             + ((z - floor) / (hrz * c)) ** 2) < 1.0
    solid = body & ~hollow & ~front & ~back & ~hilum
    for nx_, depth, half in form.notches:
        notch = (((x - nx_ * a) / (half * a)) ** 2 + ((v - b) / (depth * b)) ** 2) < 1.0
        solid = solid & ~notch
    return solid


def _bounds(form: CarvedForm, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A box (x, y, z; mm) that holds the body, grown by the bend."""
    b, c = scale * form.half_wid, scale * form.half_thick
    bend = abs(form.bend) * b
    lo = np.array([-scale * form.half_len[0], -b - bend, -c])
    hi = np.array([scale * form.half_len[1], b + bend, c])
    return lo, hi


def _notch(form: CarvedForm, scale: float) -> np.ndarray:
    """A point above the hilum on the visceral side (x, y, z; mm): where the hilum is looked for."""
    hx, hy = form.hilum[:2]
    a = scale * form.half_len[0 if hx < 0 else 1]
    b = scale * form.half_wid
    return np.array([hx * a, hy * b + b * form.bend * hx**2, scale * form.half_thick])


def make_carved_spleen(seed: int) -> VoxelSpleen:
    """The spleen for `seed` (deterministic): a target volume, a form scaled to it, voxelised."""
    rng = np.random.default_rng([int(seed), 0xC47E])
    target = sample_volume(rng)
    form = sample_form(rng, target)
    voxel = VOXEL_MM_SMALL if target < SMALL_ML else VOXEL_MM
    return scaled_spleen(seed, rng, target, voxel, partial(_inside, form), partial(_bounds, form),
                         partial(_notch, form))
