"""The data card's formula summary and its rendering from a built split's arrays."""

import numpy as np
import pytest

from spv_train import datacard


def _fake_split(n=40, seed=0):
    rng = np.random.default_rng(seed)
    L, W, T = rng.uniform(8, 14, n), rng.uniform(5, 9, n), rng.uniform(3, 6, n)
    return {
        "length_cm": L.astype(np.float32),
        "width_cm": W.astype(np.float32),
        "thickness_cm": T.astype(np.float32),
        "craniocaudal_cm": (0.95 * L).astype(np.float32),
        "volume_ml": (0.523 * L * W * T).astype(np.float32),
        "box_ratio": rng.uniform(0.3, 0.6, n).astype(np.float32),
        "L3d_mm": (L * 10.5).astype(np.float32),
        "spacing_cor": rng.uniform(0.31, 0.75, n).astype(np.float32),
        "spacing_tr": rng.uniform(0.31, 0.75, n).astype(np.float32),
        "shape_id": np.arange(n, dtype=np.int64),
    }


def test_ellipsoid_formula_is_exact_when_volumes_follow_it():
    rows = {name: (mrva, mae) for name, mrva, mae in datacard.formula_summary(_fake_split())}
    mrva, mae = rows["prolate ellipsoid 0.523·L·W·T"]
    assert mrva == pytest.approx(100.0, abs=1e-3) and mae == pytest.approx(0.0, abs=0.05)
    # Prassopoulos adds 30 mL and uses 0.58: strictly worse on these volumes.
    assert rows["Prassopoulos 30 + 0.58·L·W·T"][0] < 95.0


def test_card_text_reports_the_split(tmp_path):
    data = _fake_split()
    card = tmp_path / "DATA_CARD.md"
    datacard.write_card(data, "fake.npz", ["a.png", "b.png", "c.png", "d.png"], card)
    text = card.read_text()
    assert "`fake.npz` (40 cases, 40 distinct" in text
    assert "| volume (mL) |" in text and "figures/d.png" in text
