"""What views.py and dataset.py read from a spleen besides its inside test, shared by the training
generator (shapes.Spleen) and the shape-shift probe (altshapes.AltSpleen)."""

from __future__ import annotations

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
