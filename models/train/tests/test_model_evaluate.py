"""Evaluation arithmetic: the metrics and the clinical formulas on hand-computed values."""

import numpy as np
import pytest

from spv_train.calibrate import coverage, fit_calibration_factor, fit_length_regression, latent_stats
from spv_train.evaluate import dice, formula_volumes, mae, mrva


def test_mrva_mae_and_dice():
    true = np.array([100.0, 200.0])
    pred = np.array([110.0, 150.0])
    assert mrva(pred, true) == pytest.approx((0.9 + 0.75) / 2 * 100)
    assert mae(pred, true) == pytest.approx(30.0)
    a = np.zeros((4, 4), np.uint8)
    b = np.zeros((4, 4), np.uint8)
    a[:2], b[1:3] = 1, 1
    assert dice(a, b) == pytest.approx(2 * 4 / 16)


def test_formulas_in_cm_and_ml():
    lengths = {k: np.array([v]) for k, v in (("length", 12.0), ("width", 7.0), ("thickness", 4.0), ("craniocaudal", 10.0))}
    vols = formula_volumes(lengths, {"intercept_ml": -100.0, "slope_ml_per_cm": 30.0})
    assert vols["Ellipsoid 0.523·L·W·T"][0] == pytest.approx(0.523 * 336)
    assert vols["Prassopoulos 30 + 0.58·L·W·T"][0] == pytest.approx(30 + 0.58 * 336)
    assert vols["Yetter 0.524·W·T·(ML+CCL)/2"][0] == pytest.approx(0.524 * 28 * 11)
    assert vols["Length-only regression"][0] == pytest.approx(260.0)


def test_length_regression_recovers_a_line():
    length = np.linspace(6, 18, 50)
    fit = fit_length_regression(length, 25.0 * length - 80.0)
    assert fit["intercept_ml"] == pytest.approx(-80.0) and fit["slope_ml_per_cm"] == pytest.approx(25.0)
    assert fit["n"] == 50


def test_calibration_factor_gives_the_asked_coverage():
    rng = np.random.default_rng(0)
    s = rng.uniform(0.01, 0.05, 4000)
    err = rng.standard_normal(4000) * s * 7.0  # the model's spread is 7 times too small
    c = fit_calibration_factor(err, np.zeros_like(err), s)
    assert c == pytest.approx(7.0, rel=0.08)
    assert coverage(err, np.zeros_like(err), s, c) == pytest.approx(0.95, abs=0.002)


def test_latent_stats_shapes_orientation_and_threshold():
    rng = np.random.default_rng(1)
    vol = np.exp(rng.normal(5.3, 0.6, 1000))
    mu = rng.standard_normal((1000, 8)) * 0.1
    mu[:, 3] = -(np.log(vol) - 5.3) * 2  # the main direction of variation falls with volume
    stats = latent_stats(mu, vol, cloud_size=400)
    comp = np.array(stats["pca"]["components"])
    assert comp.shape == (2, 8) and abs(comp[0, 3]) > 0.99
    pc1 = (mu - np.array(stats["pca"]["mean"])) @ comp[0]
    assert np.corrcoef(pc1, np.log(vol))[0, 1] > 0.99  # PC1 oriented to grow with volume
    assert len(stats["cloud"]) == 400 and len(stats["precision"]) == 8
    d = np.sqrt(np.einsum("nd,de,ne->n", mu - stats["mean"], np.array(stats["precision"]), mu - stats["mean"]))
    assert np.mean(d <= stats["distance_threshold"]) == pytest.approx(0.99, abs=0.002)


def test_ensure_split_grows_or_cuts_a_split_of_another_size_keeping_its_first_shapes(tmp_path):
    from spv_train.finish import ensure_split

    small = ensure_split(tmp_path, "calib", 2, workers=1)
    larger = ensure_split(tmp_path, "calib", 3, workers=1)  # asked for more: grown
    assert len(small["volume_ml"]) == 2 and len(larger["volume_ml"]) == 3
    assert np.array_equal(larger["mask_cor"][:2], small["mask_cor"])
    assert np.array_equal(larger["volume_ml"][:2], small["volume_ml"])
    written = (tmp_path / "calib.npz").stat().st_mtime_ns
    again = ensure_split(tmp_path, "calib", 3, workers=1)  # the right size: reused as it is
    assert (tmp_path / "calib.npz").stat().st_mtime_ns == written
    assert np.array_equal(again["img_tr"], larger["img_tr"])
    first = ensure_split(tmp_path, "calib", 2, workers=1)  # asked for fewer: the first ones, file kept
    assert (tmp_path / "calib.npz").stat().st_mtime_ns == written
    assert first.keys() == small.keys()
    for key in small:
        assert np.array_equal(first[key], small[key]), key
