"""measure_mask against analytic lengths, split seeds, and a small end-to-end build."""

import csv

import numpy as np
import pytest

from spv_train import SPLIT_SEED_BASE
from spv_train.dataset import build, measure_mask, reusable_prefix, shape_seeds


@pytest.mark.parametrize("sx,sy", [(0.5, 0.5), (0.4, 0.7)])
def test_rectangle_lengths(sx, sy):
    w, h = 60, 20  # pixels
    mask = np.zeros((100, 120), dtype=np.uint8)
    mask[30 : 30 + h, 25 : 25 + w] = 1
    m = measure_mask(mask, sx, sy)
    # Feret direction: the diagonal between opposite corner pixel centres.
    dx, dy = (w - 1) * sx, (h - 1) * sy
    d = np.hypot(dx, dy)
    ux, uy = dx / d, dy / d
    assert m["feret_mm"] == pytest.approx(d + sx * ux + sy * uy, abs=1e-9)
    # Perpendicular extent of the whole rectangle of pixel squares.
    assert m["perpendicular_mm"] == pytest.approx(w * sx * uy + h * sy * ux, abs=1e-9)
    assert m["x_extent_mm"] == pytest.approx(w * sx, abs=1e-12)
    assert m["area_mm2"] == pytest.approx(w * h * sx * sy)
    assert abs(m["feret_direction"][0]) == pytest.approx(ux)


def test_disk_lengths():
    r = 40.0
    y, x = np.mgrid[0:200, 0:200]
    mask = ((x + 0.5 - 100) ** 2 + (y + 0.5 - 100) ** 2 <= r * r).astype(np.uint8)
    m = measure_mask(mask, 0.3, 0.3)
    assert m["feret_mm"] == pytest.approx(2 * r * 0.3, abs=0.3 * 1.5)
    assert m["perpendicular_mm"] == pytest.approx(2 * r * 0.3, abs=0.3 * 1.5)
    assert m["x_extent_mm"] == pytest.approx(2 * r * 0.3, abs=0.3 * 1.01)
    assert m["area_mm2"] == pytest.approx(np.pi * (r * 0.3) ** 2, rel=0.01)


def test_rotated_bar_length():
    """A 200 × 8 bar at 30°: the Feret direction is the bar's diagonal, so the perpendicular
    extent is that of a rectangle seen along its diagonal: 2·L·T / sqrt(L² + T²)."""
    y, x = np.mgrid[0:300, 0:300] + 0.5
    ang = np.deg2rad(30)
    along = (x - 150) * np.cos(ang) + (y - 150) * np.sin(ang)
    across = -(x - 150) * np.sin(ang) + (y - 150) * np.cos(ang)
    mask = (np.abs(along) <= 100) & (np.abs(across) <= 4)
    m = measure_mask(mask, 1.0, 1.0)
    assert m["feret_mm"] == pytest.approx(200, abs=3)
    assert m["perpendicular_mm"] == pytest.approx(2 * 200 * 8 / np.hypot(200, 8), abs=3)
    assert m["x_extent_mm"] == pytest.approx(200 * np.cos(ang) + 8 * np.sin(ang), abs=3)


def test_single_pixel_and_empty_masks():
    one = np.zeros((5, 5), dtype=np.uint8)
    one[2, 3] = 1
    m = measure_mask(one, 0.5, 0.8)
    assert m["feret_mm"] == pytest.approx(0.5) and m["perpendicular_mm"] == pytest.approx(0.8)
    with pytest.raises(ValueError):
        measure_mask(np.zeros((5, 5)), 1.0, 1.0)


def test_split_seeds_are_disjoint():
    seen = {}
    for split in SPLIT_SEED_BASE:
        for seed in (0, 1, 7):
            s = set(shape_seeds(split, 5000, seed).tolist())
            assert len(s) == 5000
            for other, values in seen.items():
                if other[0] != split:
                    assert not (s & values), (split, other)
            seen[(split, seed)] = s
    with pytest.raises(ValueError):
        shape_seeds("validation", 10, 0)


def test_build_writes_npz_and_csv(tmp_path):
    path = build(tmp_path, "calib", n_shapes=2, seed=3, workers=1, views_per_shape=2)
    data = np.load(path)
    n = 4
    for name in ("img_cor", "mask_cor", "img_tr", "mask_tr"):
        assert data[name].shape == (n, 320, 384) and data[name].dtype == np.uint8
    for name in ("spacing_cor", "spacing_tr", "volume_ml", "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm"):
        assert data[name].shape == (n,) and data[name].dtype == np.float32
    assert data["shape_id"].dtype == np.int64
    ids = data["shape_id"]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert (ids >= SPLIT_SEED_BASE["calib"]).all() and (ids < SPLIT_SEED_BASE["test"]).all()
    # Two views of one spleen: same volume, different images.
    assert data["volume_ml"][0] == data["volume_ml"][1]
    assert not np.array_equal(data["img_cor"][0], data["img_cor"][1])
    # Measured lengths agree with measure_mask on the stored masks.
    m = measure_mask(data["mask_cor"][2], float(data["spacing_cor"][2]), float(data["spacing_cor"][2]))
    assert data["length_cm"][2] == pytest.approx(m["feret_mm"] / 10, rel=1e-5)
    with open(tmp_path / "calib.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n
    assert float(rows[3]["volume_ml"]) == pytest.approx(float(data["volume_ml"][3]), abs=1e-3)
    assert int(rows[0]["shape_id"]) == int(ids[0])


def test_build_in_parallel_matches_serial(tmp_path):
    a = np.load(build(tmp_path / "serial", "test", n_shapes=2, seed=0, workers=1))
    b = np.load(build(tmp_path / "parallel", "test", n_shapes=2, seed=0, workers=2))
    for name in ("img_cor", "mask_tr", "volume_ml", "length_cm"):
        assert np.array_equal(a[name], b[name])


def _arrays(path) -> dict:
    with np.load(path) as blob:
        return dict(blob)


def test_a_larger_build_reuses_the_smaller_one_and_matches_a_fresh_build(tmp_path, capsys):
    small = _arrays(build(tmp_path / "small", "calib", n_shapes=2, seed=4))
    grown = _arrays(build(tmp_path / "small", "calib", n_shapes=3, seed=4, reuse=small))
    assert "2 cases reused from the earlier build, 1 to simulate" in capsys.readouterr().err
    fresh = _arrays(build(tmp_path / "fresh", "calib", n_shapes=3, seed=4))
    assert grown.keys() == fresh.keys()
    for name in fresh:
        assert np.array_equal(grown[name], fresh[name]), name


def test_reuse_is_refused_when_the_earlier_build_differs(tmp_path, capsys):
    small = _arrays(build(tmp_path / "a", "calib", n_shapes=2, seed=4))
    fresh = _arrays(build(tmp_path / "fresh", "calib", n_shapes=3, seed=4))
    # As if the simulator had changed since: the last stored case no longer matches today's.
    changed = dict(small, img_cor=small["img_cor"].copy())
    changed["img_cor"][1] ^= 1
    rebuilt = _arrays(build(tmp_path / "b", "calib", n_shapes=3, seed=4, reuse=changed))
    assert "building the split whole" in capsys.readouterr().err
    assert np.array_equal(rebuilt["img_cor"], fresh["img_cor"])
    # Another seed: other shapes, nothing reused.
    other = _arrays(build(tmp_path / "c", "calib", n_shapes=1, seed=5))
    assert reusable_prefix(other, [(int(s), 4000, True, 0.0) for s in fresh["shape_id"]]) == 0


def test_a_split_from_before_the_probe_columns_is_reused_as_curvilinear(tmp_path):
    small = _arrays(build(tmp_path / "a", "calib", n_shapes=1, seed=4))
    old = {name: value for name, value in small.items() if name not in ("probe_cor", "probe_tr")}
    grown = _arrays(build(tmp_path / "b", "calib", n_shapes=2, seed=4, reuse=old))
    fresh = _arrays(build(tmp_path / "fresh", "calib", n_shapes=2, seed=4))
    assert np.array_equal(grown["probe_cor"], fresh["probe_cor"]) and np.array_equal(grown["img_tr"], fresh["img_tr"])
    # With a probe mix asked for, an old split cannot say which probe each view had.
    jobs = [(int(s), int(v), True, 0.3) for s, v in zip(fresh["shape_id"], fresh["view_seed"])]
    assert reusable_prefix(old, jobs) == 0
