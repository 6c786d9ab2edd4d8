"""Evaluation arithmetic: the metrics and the clinical formulas on hand-computed values."""

import numpy as np
import pytest

from spv_train.calibrate import coverage, fit_calibration_factor, fit_length_regression, latent_stats
from spv_train.evaluate import dice, formula_volumes, mae, mrva, paired_mrva_difference


def test_mrva_mae_and_dice():
    true = np.array([100.0, 200.0])
    pred = np.array([110.0, 150.0])
    assert mrva(pred, true) == pytest.approx((0.9 + 0.75) / 2 * 100)
    assert mae(pred, true) == pytest.approx(30.0)
    a = np.zeros((4, 4), np.uint8)
    b = np.zeros((4, 4), np.uint8)
    a[:2], b[1:3] = 1, 1
    assert dice(a, b) == pytest.approx(2 * 4 / 16)


def test_paired_mrva_difference_is_the_mrva_gap_with_an_interval_that_shrinks_with_n():
    rng = np.random.default_rng(0)
    true = rng.uniform(100, 400, 4000)
    a = true * (1 + rng.normal(0, 0.10, true.size))  # about 92% MRVA
    b = true * (1 + rng.normal(0, 0.11, true.size))  # about 91%
    delta, low, high = paired_mrva_difference(a, b, true)
    assert delta == pytest.approx(mrva(a, true) - mrva(b, true), abs=1e-9)
    assert low < delta < high
    assert 0 < low  # 4,000 cases establish a gap of about 0.8 points
    _, low_small, high_small = paired_mrva_difference(a[:200], b[:200], true[:200])
    assert high_small - low_small > 3 * (high - low)  # ≈ √20 wider on 200 cases
    assert low_small < 0 < high_small  # which 200 cases cannot
    assert paired_mrva_difference(a, a, true) == (0.0, 0.0, 0.0)


def _results_single_vs_formula(single_err: float, formula_err: float, n: int) -> dict:
    """A results dict (evaluate_split's shape, the parts the comparison reads) whose single-view
    estimates and only formula miss the truth by the given relative spreads."""
    from spv_train.evaluate import ModeResult

    rng = np.random.default_rng(1)
    true = rng.uniform(100, 400, n)
    results = {"deepspv": {}, "formulas": {}, "true_v": true}
    for source in ("gt", "unet"):
        single = true * (1 + rng.normal(0, single_err, n))
        formula = true * (1 + rng.normal(0, formula_err, n))
        ok = np.ones(n, bool)
        results["deepspv"][(source, "single")] = ModeResult(single, single, single, ok)
        results["formulas"][(source, "Yetter")] = {"volume": formula, "ok": ok,
                                                     "metrics": {"mrva_pct": mrva(formula, true)}}
    return results


def test_the_model_card_says_beats_only_where_the_interval_excludes_zero():
    from spv_train.finish import single_view_limitation

    assert "it beats the single-view (length-only)\n  formula, and beats the best" in single_view_limitation(
        _results_single_vs_formula(0.05, 0.15, 1000))
    assert "falls short of the best" in single_view_limitation(_results_single_vs_formula(0.15, 0.05, 1000))
    level = single_view_limitation(_results_single_vs_formula(0.100, 0.101, 300))
    assert "is level with" in level and "95% CI" in level


def test_the_model_card_names_the_shape_families_a_head_was_refitted_on():
    from spv_train.finish import head_finetune_lines, shape_families_line

    def manifest(families):
        report = {"train_unet_latents": 10, "train_gt_latents": 30, "families": families}
        return {"training_data": {"training": {"rvae_single": {"head_finetune": report}, "rvae_dual": {}}}}

    two = head_finetune_lines(manifest({"a": "warped", "b": "spleen"}))
    assert "single-view" in two
    assert "30 ground-truth or perturbed masks from 2 shape generators, shapes.py and warpshapes.py (spv_train" in two
    assert "single-view head was re-fitted on those and a second family (warpshapes.py)" in shape_families_line(
        manifest({"a": "warped", "b": "spleen"}))
    three = manifest({"a": "warped", "b": "spleen", "c": "carved"})
    assert "from 3 shape generators, carveshapes.py, shapes.py and warpshapes.py (spv_train" in head_finetune_lines(three)
    assert "re-fitted on those and 2 more families (carveshapes.py and warpshapes.py)" in shape_families_line(three)
    one = head_finetune_lines(manifest({"a": "spleen"}))
    assert "30 ground-truth or perturbed masks (spv_train.finetune_head)" in one and "dual" not in one
    assert shape_families_line(manifest({"a": "spleen"})) == "The RVAEs learned one shape generator's spleens (shapes.py)."


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


def test_confidence_flag_is_the_calib_quantile_and_the_report_splits_by_it():
    from spv_train.calibrate import fit_confidence_flag
    from spv_train.evaluate import ModeResult, confidence_flag_rows, mrva_by_flag

    conf = np.linspace(0.80, 0.99, 101)
    flag = fit_confidence_flag(conf, share=0.05)
    assert flag["flag_below"] == pytest.approx(np.quantile(conf, 0.05), abs=1e-4)
    assert flag["flag_share_calib"] == 0.05

    true_v = np.array([100.0, 200.0, 300.0, 400.0])
    # Cases 0 and 1 segmented confidently and estimated well; 2 and 3 hesitantly and badly.
    results = {
        "true_v": true_v,
        "segmentation": {
            "coronal": {"dice": np.array([0.95, 0.93, 0.60, 0.70]), "confidence": np.array([0.97, 0.96, 0.85, 0.88])},
            "transverse": {"dice": np.array([0.92, 0.50, 0.90, 0.90]), "confidence": np.array([0.95, 0.80, 0.95, 0.95])},
        },
        "deepspv": {
            ("unet", mode): ModeResult(np.array([100.0, 200.0, 150.0, 200.0]), np.zeros(4), np.zeros(4), np.ones(4, bool))
            for mode in ("single", "dual")
        },
    }
    rows = dict((row[0], row[1:]) for row in confidence_flag_rows(results, 0.9))
    assert rows["coronal"] == ("50.0%", "0.650", "0.940", "100% of 2")
    assert rows["transverse"] == ("25.0%", "0.500", "0.907", "100% of 1")
    single = mrva_by_flag(results, "single", 0.9)
    assert single["not flagged"] == (pytest.approx(100.0), 2) and single["flagged"] == (pytest.approx(50.0), 2)
    dual = mrva_by_flag(results, "dual", 0.9)  # case 1's transverse view is flagged too
    assert dual["not flagged"][1] == 1 and dual["flagged"][1] == 3
