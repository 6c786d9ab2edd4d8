"""Standard sonographic planes through a synthetic spleen, with operator jitter.

* Coronal (longitudinal) view: the plane through the long axis and the hilum. Image x runs along
  the long axis, cranial pole on the left; image y (depth) runs towards the hilum, so the convex
  diaphragmatic surface faces the probe, as in the left intercostal approach.
* Transverse view: the plane perpendicular to the long axis through the hilum; image x runs across
  the width, depth again towards the hilum.

An operator never hits the plane exactly: the probe plane is tilted by a few degrees (up to ~10°)
about a random in-plane axis and shifted a few mm along its normal, and the image is rotated in
plane (the long axis is only roughly horizontal). Masks are cut with the spleen's own inside test
(``Spleen.contains``) at pixel centres, so they describe exactly the organ whose voxels give the
volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .shapes import Spleen

MAX_TILT_DEG = 10.0
TILT_SD_DEG = 4.0
OFFSET_SD_MM = 2.5
MAX_OFFSET_MM = 7.0
IN_PLANE_ROTATION_DEG = {"coronal": 15.0, "transverse": 10.0}
VIEWS = ("coronal", "transverse")


@dataclass(frozen=True)
class Plane:
    """A plane in the spleen frame (mm): the point ``origin + a·u + b·v`` has plane coordinates
    (a, b); u is the image's x direction, v its depth direction (away from the probe)."""

    view: str
    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.u, self.v)

    def to_frame(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Plane coordinates (broadcast arrays, mm) → points (..., 3) in the spleen frame."""
        a = np.asarray(a, dtype=np.float64)[..., None]
        b = np.asarray(b, dtype=np.float64)[..., None]
        return self.origin + a * self.u + b * self.v


def ideal_plane(spleen: Spleen, view: str) -> Plane:
    """The textbook plane for ``view`` (no jitter)."""
    long_axis = spleen.long_axis
    depth = spleen.hilum_direction
    if view == "coronal":
        return Plane(view, spleen.centroid_mm.copy(), long_axis.copy(), depth.copy())
    if view == "transverse":
        across = np.cross(depth, long_axis)
        return Plane(view, spleen.hilum_point_mm.copy(), across, depth.copy())
    raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")


def _rotate(vec: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation of vec about the unit axis by angle (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return vec * c + np.cross(axis, vec) * s + axis * (axis @ vec) * (1.0 - c)


def jittered_plane(spleen: Spleen, view: str, rng: np.random.Generator) -> Plane:
    """The plane an operator would actually image: tilted, shifted and rotated in plane."""
    ideal = ideal_plane(spleen, view)
    u, v, n = ideal.u, ideal.v, ideal.normal
    tilt = np.deg2rad(min(abs(rng.normal(0.0, TILT_SD_DEG)), MAX_TILT_DEG))
    phi = rng.uniform(0.0, 2.0 * np.pi)
    axis = np.cos(phi) * u + np.sin(phi) * v
    u, v = _rotate(u, axis, tilt), _rotate(v, axis, tilt)
    n = np.cross(u, v)
    offset = float(np.clip(rng.normal(0.0, OFFSET_SD_MM), -MAX_OFFSET_MM, MAX_OFFSET_MM))
    origin = ideal.origin + offset * n
    limit = IN_PLANE_ROTATION_DEG[view]
    alpha = np.deg2rad(rng.uniform(-limit, limit))
    u_rot = np.cos(alpha) * u + np.sin(alpha) * v
    v_rot = -np.sin(alpha) * u + np.cos(alpha) * v
    return Plane(view, origin, u_rot, v_rot)


def section_points(spleen: Spleen, plane: Plane, step_mm: float = 1.0) -> np.ndarray:
    """Plane coordinates (N, 2) of a step_mm lattice inside the section — used to place the
    section in the image before rendering it at the image's own spacing."""
    reach = 0.6 * spleen.L_mm + 0.5 * spleen.W_mm + 10.0
    g = np.arange(-reach, reach + step_mm, step_mm)
    aa, bb = np.meshgrid(g, g)
    inside = spleen.contains(plane.to_frame(aa, bb))
    return np.stack([aa[inside], bb[inside]], axis=1)


def render_section(
    spleen: Spleen,
    plane: Plane,
    spacing_mm: float,
    shape: tuple[int, int],
    plane_origin_px: tuple[float, float],
    points_ab: np.ndarray | None = None,
) -> np.ndarray:
    """Binary mask (uint8 0/1, rows × cols) of the section, square pixels of spacing_mm.
    ``plane_origin_px`` = (x, y) image position (in pixels, continuous) of the plane origin:
    pixel centre (col + 0.5, row + 0.5) maps to plane coordinates ((col + 0.5 − x)·s, (row + 0.5 − y)·s).
    ``points_ab`` (from section_points) bounds the work to the section's box plus a margin that
    covers the lattice step."""
    rows, cols = shape
    ox, oy = plane_origin_px
    a = (np.arange(cols) + 0.5 - ox) * spacing_mm
    b = (np.arange(rows) + 0.5 - oy) * spacing_mm
    mask = np.zeros(shape, dtype=np.uint8)
    # Only evaluate the rows/columns the section can reach (saves most of the image).
    if points_ab is not None and len(points_ab):
        margin = 6.0
        lo = points_ab.min(axis=0) - margin
        hi = points_ab.max(axis=0) + margin
    else:
        reach = 0.6 * spleen.L_mm + 0.5 * spleen.W_mm + 10.0
        lo, hi = np.array([-reach, -reach]), np.array([reach, reach])
    ci = np.flatnonzero((a >= lo[0]) & (a <= hi[0]))
    ri = np.flatnonzero((b >= lo[1]) & (b <= hi[1]))
    if ci.size == 0 or ri.size == 0:
        return mask
    aa, bb = np.meshgrid(a[ci], b[ri])
    inside = spleen.contains(plane.to_frame(aa, bb))
    mask[ri[0] : ri[-1] + 1, ci[0] : ci[-1] + 1] = inside
    return mask


def clean_mask(mask: np.ndarray) -> np.ndarray:
    """The ground-truth label a sonographer would draw: the largest 8-connected region of the
    section with its holes filled (the same post-processing the app applies to the U-Net output,
    docs/PIPELINE.md §3). Grazing cuts through a tapering pole or a thin border otherwise leave
    specks of a pixel or two beside the organ's outline."""
    m = np.asarray(mask) > 0
    labels, n = ndimage.label(m, structure=np.ones((3, 3), dtype=bool))
    if n > 1:
        sizes = np.bincount(labels.ravel())[1:]
        m = labels == (int(np.argmax(sizes)) + 1)
    return ndimage.binary_fill_holes(m).astype(np.uint8)
