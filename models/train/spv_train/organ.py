"""What views.py and dataset.py read from a spleen besides its inside test, shared by the shape
generators: shapes.Spleen (training), warpshapes and carveshapes (training, a second and a third
family) and altshapes (the shape-shift probe, never trained on). Only derived geometry lives here —
the principal frame of a voxelised organ and the hilum found on its surface — never anything that
decides a shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class OrganFrame:
    """Derived geometry of a voxelised organ with principal axes `axes` (rows: long, width,
    thickness) and extents L_mm, W_mm, T_mm along them. Subclasses are dataclasses that hold those."""

    axes: np.ndarray
    volume_ml: float
    L_mm: float
    W_mm: float
    T_mm: float

    @property
    def long_axis(self) -> np.ndarray:
        return self.axes[0]

    @property
    def box_ratio(self) -> float:
        """V / (L·W·T), the quantity the ellipsoid formula assumes to be ~0.52."""
        return self.volume_ml * 1000.0 / (self.L_mm * self.W_mm * self.T_mm)


@dataclass
class VoxelSpleen(OrganFrame):
    """A spleen given only by its voxels (the generators other than shapes.py build one)."""

    seed: int
    voxels: np.ndarray  # bool (z, y, x)
    voxel_mm: float
    origin_mm: np.ndarray  # (x, y, z) of the corner of voxel [0, 0, 0]
    volume_ml: float
    centroid_mm: np.ndarray
    axes: np.ndarray  # rows: long, width, thickness (unit vectors)
    L_mm: float
    W_mm: float
    T_mm: float
    hilum_point_mm: np.ndarray
    hilum_direction: np.ndarray

    def contains(self, points_mm: np.ndarray) -> np.ndarray:
        """Inside test for points (..., 3): the voxel each point falls in."""
        idx = np.floor((np.asarray(points_mm, dtype=np.float64) - self.origin_mm) / self.voxel_mm).astype(np.int64)
        nz, ny, nx = self.voxels.shape
        i, j, k = idx[..., 0], idx[..., 1], idx[..., 2]
        valid = (i >= 0) & (i < nx) & (j >= 0) & (j < ny) & (k >= 0) & (k < nz)
        out = np.zeros(idx.shape[:-1], dtype=bool)
        out[valid] = self.voxels[k[valid], j[valid], i[valid]]
        return out


def principal_frame(vox: np.ndarray, origin: np.ndarray, voxel_mm: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroid, principal axes (rows, by falling variance) and extents along them (mm). The axes
    come from at most 200,000 voxels drawn with rng (the same draw for the same organ)."""
    kji = np.argwhere(vox)
    pts = origin + (kji[:, ::-1] + 0.5) * voxel_mm
    sample = pts if len(pts) <= 200_000 else pts[rng.choice(len(pts), 200_000, replace=False)]
    centroid = pts.mean(axis=0)
    _, vecs = np.linalg.eigh(np.cov((sample - centroid).T))
    axes = vecs[:, ::-1].T.copy()
    if axes[0, 0] < 0:
        axes[0] *= -1
    if axes[2, 2] < 0:
        axes[2] *= -1
    axes[1] = np.cross(axes[2], axes[0])
    proj = (pts - centroid) @ axes.T
    extents = proj.max(axis=0) - proj.min(axis=0) + voxel_mm
    return centroid, axes, extents


def hilum_on_surface(spleen: VoxelSpleen, notch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction from the long axis towards the hilum's notch, and the deepest point of the notch's
    floor on that line (the visceral surface at the hilum)."""
    a0 = spleen.long_axis
    c = spleen.centroid_mm
    along = float((notch - c) @ a0)
    base = c + along * a0
    d = notch - base
    d = d - (d @ a0) * a0
    d = d / (np.linalg.norm(d) + 1e-12)
    s = np.arange(-spleen.T_mm - spleen.W_mm, spleen.T_mm + spleen.W_mm, 0.5)
    line = base + s[:, None] * d
    inside = spleen.contains(line)
    point = line[np.flatnonzero(inside)[-1]] if inside.any() else base
    return point, d


def voxel_spleen(seed: int, vox: np.ndarray, origin: np.ndarray, voxel_mm: float, notch: np.ndarray,
                 rng: np.random.Generator) -> VoxelSpleen:
    """The VoxelSpleen of a generator's voxels: volume from the count, principal frame (drawing from
    rng as principal_frame does) and the hilum on the surface below `notch`."""
    centroid, axes, extents = principal_frame(vox, origin, voxel_mm, rng)
    spleen = VoxelSpleen(
        seed=int(seed), voxels=vox, voxel_mm=voxel_mm, origin_mm=origin,
        volume_ml=float(vox.sum() * voxel_mm**3 / 1000.0), centroid_mm=centroid, axes=axes,
        L_mm=float(extents[0]), W_mm=float(extents[1]), T_mm=float(extents[2]),
        hilum_point_mm=centroid, hilum_direction=axes[2],
    )
    spleen.hilum_point_mm, spleen.hilum_direction = hilum_on_surface(spleen, notch)
    return spleen
