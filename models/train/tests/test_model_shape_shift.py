"""The shape-shift report's breakdown (shape_shift.breakdown_section): MRVA by size and by the
latent-distance warning, computed on the right cases."""

import numpy as np

from spv_train import evaluate
from spv_train.shape_shift import BREAKDOWN_FORMULAS, ENLARGED_ML, breakdown_section


def _results(true_v: np.ndarray, factors: dict[str, float]) -> dict:
    ok = np.ones(len(true_v), dtype=bool)
    deepspv = {("gt", mode): evaluate.ModeResult(true_v * factors[mode], np.zeros(len(true_v)), np.ones(len(true_v)), ok)
               for mode in ("single", "dual")}
    formulas = {("gt", name): {"volume": true_v * factors["formula"], "ok": ok} for name in BREAKDOWN_FORMULAS}
    return {"deepspv": deepspv, "formulas": formulas, "true_v": true_v}


def test_breakdown_splits_by_size_and_by_warning():
    true_v = np.array([100.0, 200.0, 300.0, 800.0])
    # Exact on the small ones, 20% high on the enlarged one (single); dual exact; formulas 10% low.
    res = _results(true_v, {"single": 1.0, "dual": 1.0, "formula": 0.9})
    res["deepspv"][("gt", "single")].volume[3] = 960.0
    flags = {"single": np.array([False, False, False, True]), "dual": np.array([False, True, False, False])}
    lines = breakdown_section([("family", res)], [flags])
    rows = {line.split(" | ")[1]: line for line in lines if line.startswith("| family |")}
    assert f"≤ {ENLARGED_ML:.0f} mL" in rows and f"> {ENLARGED_ML:.0f} mL" in rows
    assert "100.00 (n=3)" in rows[f"≤ {ENLARGED_ML:.0f} mL"]
    assert "80.00 (n=1)" in rows[f"> {ENLARGED_ML:.0f} mL"]  # single: 20% off
    # The single-view warning picks the enlarged case for the single and formula columns ...
    assert rows["warned"].split(" | ")[2] == "80.00 (n=1)"
    # ... and the dual-view warning its own case for the dual column.
    assert rows["warned"].split(" | ")[3] == "100.00 (n=1)"
    assert rows["no warning"].split(" | ")[4] == "90.00 (n=3)"  # a formula, single-view flags
    assert any("Warned share: family: 25.0% single / 25.0% dual" in line for line in lines)


def test_a_fresh_sample_starts_at_the_asked_seed():
    from spv_train.altshapes import make_alt_spleen
    from spv_train.shape_shift import ALT_SEED_BASE, build_alt_split

    fresh = build_alt_split(1, workers=1, first=300)
    assert fresh["volume_ml"][0] == np.float32(make_alt_spleen(ALT_SEED_BASE + 300).volume_ml)
    assert fresh["volume_ml"][0] != build_alt_split(1, workers=1)["volume_ml"][0]


def test_a_spleen_no_view_plane_holds_is_skipped_and_the_next_seed_taken():
    from spv_train.shape_shift import build_alt_split

    # altshapes seed 1066 is a massive spleen no coronal plane of the simulator fits (found 2026-11-28).
    sample = build_alt_split(2, workers=1, first=1065)
    assert list(sample["seed"]) == [1065, 1067]
    assert len(sample["volume_ml"]) == len(sample["mask_cor"]) == 2
