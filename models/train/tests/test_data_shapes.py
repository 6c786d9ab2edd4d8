"""The 3D spleen generator: determinism, voxel volume accuracy, population statistics."""

import numpy as np
import pytest

from spv_train import shapes


def test_same_seed_gives_identical_spleen():
    a = shapes.make_spleen(1234)
    b = shapes.make_spleen(1234)
    assert a.volume_ml == b.volume_ml
    assert np.array_equal(a.voxels, b.voxels)
    assert np.array_equal(a.origin_mm, b.origin_mm)
    c = shapes.make_spleen(1235)
    assert c.volume_ml != a.volume_ml


@pytest.mark.parametrize("abc", [(60.0, 35.0, 22.0), (25.0, 18.0, 12.0), (110.0, 70.0, 45.0)])
@pytest.mark.parametrize("voxel_mm", [1.0, 0.75])
def test_ellipsoid_voxel_volume_matches_analytic(abc, voxel_mm):
    a, b, c = abc
    vox, _ = shapes.voxelise(shapes.ellipsoid_params(a, b, c), voxel_mm)
    volume = vox.sum() * voxel_mm**3
    analytic = 4.0 / 3.0 * np.pi * a * b * c
    assert abs(volume - analytic) / analytic < 0.01


def test_ellipsoid_principal_extents_are_its_diameters():
    p = shapes.ellipsoid_params(60.0, 35.0, 22.0)
    vox, origin = shapes.voxelise(p, 1.0)
    centroid, axes, extents = shapes._principal_frame(vox, 1.0, origin)
    np.testing.assert_allclose(centroid, 0.0, atol=0.6)
    np.testing.assert_allclose(np.abs(axes), np.eye(3), atol=1e-3)
    np.testing.assert_allclose(extents, [120.0, 70.0, 44.0], atol=1.01)


def test_contains_agrees_with_voxels():
    sp = shapes.make_spleen(7)
    k, j, i = np.nonzero(sp.voxels)
    centres = sp.origin_mm + (np.stack([i, j, k], axis=1) + 0.5) * sp.voxel_mm
    assert sp.contains(centres).all()
    # A box of voxel centres around the organ: inside exactly where a voxel is set.
    nz, ny, nx = sp.voxels.shape
    zz, yy, xx = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    grid = sp.origin_mm + (np.stack([xx, yy, zz], axis=-1) + 0.5) * sp.voxel_mm
    assert np.array_equal(sp.contains(grid), sp.voxels)


def test_frame_and_hilum_are_consistent():
    sp = shapes.make_spleen(42)
    np.testing.assert_allclose(sp.axes @ sp.axes.T, np.eye(3), atol=1e-9)
    assert sp.L_mm > sp.W_mm > sp.T_mm
    assert abs(sp.hilum_direction @ sp.long_axis) < 1e-9
    assert sp.hilum_direction[2] > 0.5  # the hilum faces the visceral (+z) side
    assert sp.long_axis[0] > 0.9  # the long axis is the frame's x axis, cranial to caudal


def test_population_statistics():
    spleens = [shapes.make_spleen(s) for s in range(200)]
    vols = np.array([s.volume_ml for s in spleens])
    ratios = np.array([s.box_ratio for s in spleens])
    assert vols.min() >= 35 and vols.max() <= 2100
    assert 170 <= np.median(vols) <= 240
    adult = np.mean((vols >= 150) & (vols <= 300))
    assert adult >= 0.45
    assert np.mean(vols < 100) >= 0.03 and np.mean(vols > 500) >= 0.05
    assert 0.27 <= ratios.min() and ratios.max() <= 0.65
    assert ratios.max() - ratios.min() >= 0.18  # the ratio genuinely varies
    assert 0.38 <= np.median(ratios) <= 0.52
