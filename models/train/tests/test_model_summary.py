"""The train summary that travels back beside the weights, and its update after one RVAE is
fine-tuned on its own (--base)."""

import numpy as np
import pytest

from spv_train import summary


def _latents(path, value, n=5):
    path.mkdir(parents=True)
    np.savez(path / "latents.npz", mu=np.full((n, 32), value, np.float32), logvar=np.zeros((n, 32), np.float32),
             volume_ml=np.full(n, 200.0, np.float32), index=np.arange(n))


def test_base_summary_keeps_what_the_runs_do_not_replace(tmp_path):
    base = tmp_path / "old.npz"
    np.savez(base, train_volume_ml=np.array([100.0, 300.0]), train_length_cm=np.array([9.0, 13.0]),
             single_mu=np.zeros((3, 32), np.float32), single_index=np.arange(3),
             dual_mu=np.full((4, 32), 7.0, np.float32))
    runs = tmp_path / "runs"
    _latents(runs / "rvae_single", 1.5)
    out = summary.pack(None, runs, tmp_path / "new.npz", base=base)
    with np.load(out) as blob:
        assert np.array_equal(blob["train_volume_ml"], [100.0, 300.0])  # lengths/volumes from the base
        assert blob["single_mu"].shape == (5, 32) and np.all(blob["single_mu"] == 1.5)  # replaced
        assert np.array_equal(blob["single_index"], np.arange(5))
        assert np.all(blob["dual_mu"] == 7.0)  # the dual RVAE was not re-run: kept


def test_summary_needs_the_train_split_or_a_base(tmp_path):
    with pytest.raises(SystemExit, match="--data"):
        summary.pack(None, tmp_path, tmp_path / "x.npz")


def test_latents_encoded_from_published_weights_equal_those_of_the_training_run(tmp_path):
    from spv_train import train_rvae
    from test_model_training import tiny_split

    data = tmp_path / "split"
    data.mkdir()
    tiny_split(data)
    published = tmp_path / "weights"
    published.mkdir()
    for mode in ("single", "dual"):
        train_rvae.main(["--mode", mode, "--data", str(data), "--run-dir", str(tmp_path / mode), "--batch", "2",
                         "--device", "cpu", "--epochs", "0.5", "--pretrain", "0.0",
                         "--publish", str(published / f"rvae_{mode}.pt")])
    encoded = summary.encoded_latents(data, published)  # what pack(..., checkpoints=) adds to the summary
    for mode in ("single", "dual"):
        with np.load(tmp_path / mode / "latents.npz") as run:
            for key in ("mu", "logvar", "volume_ml", "index"):
                np.testing.assert_allclose(encoded[f"{mode}_{key}"], run[key], rtol=1e-5, atol=1e-6)


def test_encoding_needs_the_train_split(tmp_path):
    with pytest.raises(SystemExit, match="--data"):
        summary.pack(None, None, tmp_path / "x.npz", checkpoints=tmp_path)
