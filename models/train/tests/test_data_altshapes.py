"""The second shape generator (altshapes.py, the shape-shift probe): determinism, a spleen the views
can cut, and a population that differs from the training generator's while staying plausible."""

import numpy as np

from spv_train import altshapes, shapes
from spv_train.shape_shift import alt_case


def test_same_seed_gives_identical_spleen():
    a, b = altshapes.make_alt_spleen(7), altshapes.make_alt_spleen(7)
    assert a.volume_ml == b.volume_ml and np.array_equal(a.voxels, b.voxels)
    assert altshapes.make_alt_spleen(8).volume_ml != a.volume_ml


def test_contains_agrees_with_the_voxels_and_the_frame_is_consistent():
    s = altshapes.make_alt_spleen(3)
    kji = np.argwhere(s.voxels)
    centres = s.origin_mm + (kji[:, ::-1] + 0.5) * s.voxel_mm
    assert s.contains(centres).all()
    assert not s.contains(s.origin_mm - 5.0)  # outside the grid
    assert abs(s.volume_ml - len(kji) * s.voxel_mm**3 / 1000.0) < 1e-9
    assert np.allclose(s.axes @ s.axes.T, np.eye(3), atol=1e-9)  # orthonormal frame
    assert s.L_mm >= s.W_mm >= s.T_mm * 0.8
    assert abs(float(s.hilum_direction @ s.long_axis)) < 1e-9
    assert s.contains(s.hilum_point_mm[None])[0]  # on the visceral surface, from inside


def test_population_is_plausible_and_not_the_training_generators():
    alt = [altshapes.make_alt_spleen(seed) for seed in range(16)]
    own = [shapes.make_spleen(seed) for seed in range(16)]
    volumes = np.array([s.volume_ml for s in alt])
    ratios = np.array([s.box_ratio for s in alt])
    assert volumes.min() >= 35 and volumes.max() <= 2200
    assert 150 <= np.median(volumes) <= 300  # most adults at 150–300 mL
    assert (ratios > 0.28).all() and (ratios < 0.6).all()
    # A different family: its V/(L·W·T) sits well below the training generator's.
    assert np.median(ratios) < np.median([s.box_ratio for s in own]) - 0.03


def test_an_alternative_case_has_both_views_and_their_lengths():
    case = alt_case(77_000_001)
    for view in ("coronal", "transverse"):
        assert case[view]["mask"].any() and case[view]["image"].any()
        assert 0.1 < case[view]["spacing_mm"] < 1.5
    lengths = case["lengths_cm"]
    assert 2 < lengths["length"] < 30 and 0 < lengths["thickness"] < lengths["length"]
