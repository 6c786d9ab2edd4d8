"""Training smoke tests on a tiny split of ellipse masks (the real generator is not needed here):
one optimisation step of each trainer, resume from the checkpoint, and files torch can load."""

import numpy as np
import pytest
import torch

from spv_train import common, train_rvae, train_unet
from spv_train.nets import RVAE, UNet

H, W = 48, 64


def tiny_split(path, n=6):
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:H, 0:W] + 0.5
    arrays = {k: [] for k in ("img_cor", "mask_cor", "img_tr", "mask_tr", "spacing_cor", "spacing_tr", "volume_ml")}
    for _ in range(n):
        a, b = rng.uniform(8, 20), rng.uniform(6, 12)
        for view in ("cor", "tr"):
            m = (((x - W / 2) / a) ** 2 + ((y - H / 2) / b) ** 2 < 1).astype(np.uint8)
            arrays[f"mask_{view}"].append(m)
            arrays[f"img_{view}"].append((rng.uniform(0, 60, (H, W)) + 120 * m).astype(np.uint8))
            arrays[f"spacing_{view}"].append(2.0)
        arrays["volume_ml"].append(4 / 3 * np.pi * a * b * b * 8 / 1000)
    np.savez(path / "train.npz", shape_id=np.arange(n, dtype=np.int64),
             **{k: np.array(v, dtype=np.float32 if "spacing" in k or k == "volume_ml" else np.uint8)
                for k, v in arrays.items()})


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("split")
    tiny_split(path)
    return path


def test_unet_trains_resumes_and_publishes(data_dir, tmp_path):
    run = tmp_path / "unet"
    common_args = ["--data", str(data_dir), "--run-dir", str(run), "--batch", "2", "--device", "cpu",
                   "--checkpoint-every", "1", "--publish", str(tmp_path / "unet.pt"), "--base", "8"]
    train_unet.main(common_args + ["--epochs", "0.2"])  # 11 train images (2 views) / 2 per batch → 1 step
    first = common.load_latest(run)
    assert first["step"] == 1
    assert (data_dir / "train_unet_img128.npy").exists()  # the letterbox cache
    train_unet.main(common_args + ["--epochs", "0.4"])  # resumes: continues to step 2
    second = common.load_latest(run)
    assert second["step"] == 2
    changed = [k for k in first["model"] if not torch.equal(first["model"][k], second["model"][k])]
    assert changed, "the resumed step must update the weights"
    state, meta = common.load_final(tmp_path / "unet.pt")
    assert meta["kind"] == "unet" and meta["steps"] == 2 and "partial" not in meta
    UNet(base=meta["base"]).load_state_dict(state)


def test_unet_concatenates_several_data_folders(data_dir, tmp_path):
    run = tmp_path / "unet2"
    train_unet.main(["--data", str(data_dir), str(data_dir), "--run-dir", str(run), "--batch", "2",
                     "--device", "cpu", "--epochs", "0.1", "--base", "8"])
    _, meta = common.load_final(run / common.FINAL)
    assert meta["train_images"] == 2 * 12 - 1  # two copies of 6 cases × 2 views, one image held out
    assert meta["data"] == [str(data_dir), str(data_dir)]


@pytest.mark.parametrize("mode,channels", [("single", 1), ("dual", 2)])
def test_rvae_trains_saves_latents_and_resumes(data_dir, tmp_path, mode, channels):
    run = tmp_path / mode
    args = ["--mode", mode, "--data", str(data_dir), "--run-dir", str(run), "--batch", "2", "--device", "cpu",
            "--epochs", "0.5", "--pretrain", "0.0"]
    train_rvae.main(args)
    state, meta = common.load_final(run / common.FINAL)
    model = RVAE(channels)
    model.load_state_dict(state)
    log_v = np.log(np.load(data_dir / "train.npz")["volume_ml"].astype(np.float64))
    assert meta["y_mean"] == pytest.approx(log_v.mean()) and meta["y_std"] == pytest.approx(log_v.std())
    assert meta["channels"] == ["coronal", "transverse"][:channels]
    with np.load(run / "latents.npz") as latents:
        assert latents["mu"].shape[1] == 32 and len(latents["mu"]) == len(latents["volume_ml"]) > 0
    steps = meta["steps"]
    train_rvae.main(args[:-4] + ["--epochs", "1.5", "--pretrain", "0.0"])
    assert common.load_final(run / common.FINAL)[1]["steps"] > steps


def test_checkpoints_are_plain_cpu_state_dicts(tmp_path):
    model = UNet(base=4)
    path = common.save_final(tmp_path, model, {"kind": "unet", "base": 4})
    blob = torch.load(path, map_location="cpu")
    assert set(blob) == {"state_dict", "meta"}
    assert all(t.device.type == "cpu" for t in blob["state_dict"].values())
    assert path.stat().st_size < 15e6


def saved_rvae(tmp_path):
    """A fresh single-view RVAE and the published file of it (volume scaling 4.0 / 0.5) to start from."""
    base = RVAE(1)
    init = tmp_path / "init.pt"
    common.atomic_save({"state_dict": common.cpu_state(base), "meta": {"y_mean": 4.0, "y_std": 0.5}}, init)
    return base, init


def test_atomic_save_creates_the_folder(tmp_path):
    path = tmp_path / "new" / "folder" / "w.pt"
    common.atomic_save({"x": torch.ones(2)}, path)
    assert torch.equal(torch.load(path)["x"], torch.ones(2)) and not path.with_suffix(".pt.tmp").exists()


def test_rvae_fine_tune_starts_from_the_given_weights_and_keeps_their_volume_scaling(data_dir, tmp_path):
    base, init = saved_rvae(tmp_path)
    run = tmp_path / "ft"
    train_rvae.main(["--mode", "single", "--data", str(data_dir), "--run-dir", str(run), "--batch", "2",
                     "--device", "cpu", "--epochs", "0.5", "--pretrain", "0.0", "--lr", "0", "--init-from", str(init)])
    state, meta = common.load_final(run / common.FINAL)
    assert (meta["y_mean"], meta["y_std"]) == (4.0, 0.5)
    # With a zero learning rate the weights are exactly the initial ones (BatchNorm's running
    # statistics are buffers, not weights: they move with every batch).
    for key, value in base.named_parameters():
        assert torch.equal(state[key], value.detach()), key


def test_rvae_with_a_frozen_decoder_trains_encoder_and_head_only(data_dir, tmp_path):
    base, init = saved_rvae(tmp_path)
    run = tmp_path / "frozen"
    train_rvae.main(["--mode", "single", "--data", str(data_dir), "--run-dir", str(run), "--batch", "4",
                     "--device", "cpu", "--epochs", "2", "--pretrain", "0.0", "--lr", "1e-2",
                     "--init-from", str(init), "--freeze-decoder", "--recon-rows", "2"])
    state, meta = common.load_final(run / common.FINAL)
    assert meta["frozen_decoder"] is True and meta["recon_rows"] == 2
    before = base.state_dict()
    # The decoder, its BatchNorm running statistics included, is exactly the initial one ...
    decoder = [k for k in state if k.startswith("decoder.")]
    assert decoder and all(torch.equal(state[k], before[k]) for k in decoder)
    # ... while the encoder and the head learned.
    for part in ("encoder.", "head."):
        assert any(not torch.equal(state[k], before[k]) for k in state if k.startswith(part)), part


def test_rvae_frozen_decoder_needs_weights_to_start_from(data_dir, tmp_path):
    with pytest.raises(SystemExit):
        train_rvae.main(["--mode", "single", "--data", str(data_dir), "--run-dir", str(tmp_path / "r"),
                         "--device", "cpu", "--epochs", "0.5", "--freeze-decoder"])


def test_rvae_losses_decode_only_the_asked_rows():
    torch.manual_seed(0)
    model = RVAE(1).eval()
    grids = torch.rand(6, 1, 96, 96)
    y = torch.zeros(6)
    calls = []
    model.decoder.register_forward_hook(lambda _m, inputs, _o: calls.append(inputs[0].shape[0]))
    train_rvae.rvae_losses(model, grids, y, recon_rows=2)
    train_rvae.rvae_losses(model, grids, y)
    assert calls == [2, 6]


def test_pipeline_masks_are_written_and_mixed_into_rvae_batches(data_dir, tmp_path):
    from spv_train import pipeline_masks

    unet_pt = common.save_final(tmp_path, UNet(base=4), {"kind": "unet", "base": 4})
    out = pipeline_masks.pipeline_masks(data_dir, "train", unet_pt, tmp_path / "pipe.npz")
    with np.load(out) as blob, np.load(data_dir / "train.npz") as split:
        for view in ("cor", "tr"):
            assert blob[f"mask_{view}"].shape == split[f"mask_{view}"].shape
            assert blob[f"mask_{view}"].dtype == np.uint8 and set(np.unique(blob[f"mask_{view}"])) <= {0, 1}
            assert blob[f"dice_{view}"].shape == (len(split["volume_ml"]),)
            assert np.all((blob[f"dice_{view}"] >= 0) & (blob[f"dice_{view}"] <= 1))
        assert np.array_equal(blob["volume_ml"], split["volume_ml"])

    run = tmp_path / "rvae"
    train_rvae.main(["--mode", "dual", "--data", str(data_dir), str(data_dir), "--run-dir", str(run),
                     "--batch", "4", "--device", "cpu", "--epochs", "0.5", "--pretrain", "0.0",
                     "--pipeline-masks", str(out), str(out), "--pipeline-share", "0.5"])
    _, meta = common.load_final(run / common.FINAL)
    assert meta["pipeline_masks"] == [str(out), str(out)] and meta["pipeline_share"] == 0.5
    assert meta["pipeline_cases"] == 12 - 1  # two files of 6 concatenated, one case held out for monitoring
    assert meta["train_cases"] == 12 - 1  # two copies of the split concatenated, one held out


def test_rvae_refuses_data_dirs_with_different_mask_sizes(data_dir, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    with np.load(data_dir / "train.npz") as blob:
        arrays = {k: blob[k] for k in blob.files}
    arrays["mask_cor"] = np.pad(arrays["mask_cor"], ((0, 0), (0, 2), (0, 0)))
    np.savez(other / "train.npz", **arrays)
    with pytest.raises(SystemExit, match="different sizes"):
        train_rvae.main(["--mode", "single", "--data", str(data_dir), str(other), "--run-dir", str(tmp_path / "r"),
                         "--device", "cpu", "--epochs", "0.5"])


def test_head_fine_tune_changes_only_the_head_and_keeps_the_best_held_out_epoch(data_dir, tmp_path):
    from spv_train import finetune_head

    base = RVAE(1)
    init = tmp_path / "rvae_single.pt"
    common.atomic_save({"state_dict": common.cpu_state(base), "meta": {"y_mean": 0.5, "y_std": 0.7}}, init)
    # Stand-in for the U-Net's masks: the ground truth eroded by one pixel.
    with np.load(data_dir / "train.npz") as blob:
        arrays = {k: blob[k] for k in blob.files}
    for view in ("cor", "tr"):
        m = arrays[f"mask_{view}"]
        arrays[f"mask_{view}"] = (m & np.roll(m, 1, 1) & np.roll(m, -1, 1) & np.roll(m, 1, 2) & np.roll(m, -1, 2))
    np.savez(tmp_path / "pipe.npz", **arrays)
    out = tmp_path / "tuned.pt"
    finetune_head.main(["--mode", "single", "--checkpoint", str(init), "--data", str(data_dir),
                        "--pipeline-masks", str(tmp_path / "pipe.npz"), "--out", str(out), "--epochs", "3",
                        "--batch", "8", "--lr", "1e-2"])
    state, meta = common.load_final(out)
    assert (meta["y_mean"], meta["y_std"]) == (0.5, 0.7)  # the volume scaling travels unchanged
    report = meta["head_finetune"]
    assert report["train_unet_latents"] > 0 and report["train_gt_latents"] > report["train_unet_latents"]
    assert report["families"] == {str(data_dir): "spleen"}  # a split without a family record: shapes.py
    mean = lambda s: (s["gt"] + s["unet"]) / 2  # noqa: E731
    assert mean(report["held_out_best"]) >= mean(report["held_out_start"])
    reference = common.cpu_state(base)
    for key, value in reference.items():
        if key.startswith("head."):
            continue
        assert torch.equal(state[key], value), f"{key} must not change"
    if report["best_epoch"] > 0:
        assert any(not torch.equal(state[k], v) for k, v in reference.items() if k.startswith("head."))


def test_head_fine_tune_reuses_cached_latents_only_for_the_same_inputs(data_dir, tmp_path):
    from spv_train import finetune_head

    init = tmp_path / "rvae_single.pt"
    common.atomic_save({"state_dict": common.cpu_state(RVAE(1)), "meta": {"y_mean": 0.5, "y_std": 0.7}}, init)
    cache = tmp_path / "pool.npz"
    args = ["--mode", "single", "--checkpoint", str(init), "--data", str(data_dir), "--pipeline-masks",
            str(data_dir / "train.npz"), "--epochs", "2", "--batch", "8", "--pool-cache", str(cache)]
    finetune_head.main(args + ["--out", str(tmp_path / "a.pt")])
    first = dict(np.load(cache))
    finetune_head.main(args + ["--out", str(tmp_path / "b.pt")])
    for key in finetune_head.LatentPool.KEYS:  # read back, not encoded again (perturbation is random)
        assert np.array_equal(np.load(cache)[key], first[key])
    a, b = common.load_final(tmp_path / "a.pt")[0], common.load_final(tmp_path / "b.pt")[0]
    assert all(torch.equal(a[k], b[k]) for k in a)  # same latents, same seed: the same head
    # Other inputs (one perturbed copy fewer) do not take the cached latents.
    finetune_head.main(args + ["--out", str(tmp_path / "c.pt"), "--perturbed", "1"])
    assert len(np.load(cache)["mu"]) < len(first["mu"])


def test_head_fine_tune_reports_the_held_out_mrva_of_each_shape_family(data_dir, tmp_path):
    from spv_train import finetune_head

    init = tmp_path / "rvae_single.pt"
    common.atomic_save({"state_dict": common.cpu_state(RVAE(1)), "meta": {"y_mean": 0.5, "y_std": 0.7}}, init)
    # The same cases again, recorded as another family, under shape ids of their own.
    with np.load(data_dir / "train.npz") as blob:
        arrays = {k: blob[k] for k in blob.files}
    arrays["family"], arrays["shape_id"] = np.array("warped"), arrays["shape_id"] + 10**6
    (tmp_path / "warped").mkdir()
    np.savez(tmp_path / "warped" / "train.npz", **arrays)
    finetune_head.main(["--mode", "single", "--checkpoint", str(init), "--data", str(data_dir), str(tmp_path / "warped"),
                        "--pipeline-masks", str(data_dir / "train.npz"), str(tmp_path / "warped" / "train.npz"),
                        "--epochs", "1", "--batch", "8", "--out", str(tmp_path / "tuned.pt")])
    report = common.load_final(tmp_path / "tuned.pt")[1]["head_finetune"]
    assert report["families"] == {str(data_dir): "spleen", str(tmp_path / "warped"): "warped"}
    for scores in (report["held_out_start"], report["held_out_best"]):
        assert {"gt", "unet"} <= set(scores) and set(scores) - {"gt", "unet"} <= {"gt spleen", "gt warped"}
        assert len(set(scores) - {"gt", "unet"}) >= 1  # at least one family has held-out shapes here
        assert all(np.isfinite(v) for v in scores.values())
