"""PIPELINE §2–§5 in preprocess.py (and its torch twin in augment.py) on real inputs."""

import math

import numpy as np
import pytest
import torch

from spv_train import preprocess as pp
from spv_train.augment import masks_to_grids


def ellipse(h, w, cx, cy, rx, ry):
    y, x = np.mgrid[0:h, 0:w] + 0.5
    return ((((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2) < 1).astype(np.uint8)


def test_area_weights_rows_sum_to_one_and_identity_when_sizes_match():
    w = pp.area_weights(384, 128)
    assert w.shape == (128, 384)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(w[0, :3], [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(pp.area_weights(7, 7), np.eye(7), atol=1e-12)
    # Upsampling 2 → 3: the middle output straddles both sources half and half.
    np.testing.assert_allclose(pp.area_weights(2, 3)[1], [0.5, 0.5])


def test_letterbox_of_a_constant_image():
    grey = np.full((200, 300), 128.0)
    tensor, box = pp.letterbox(grey, 128)
    assert (box.nw, box.nh, box.ox, box.oy) == (128, 85, 0, 21)  # 200·128/300 = 85.33 → 85
    assert tensor.dtype == np.float32 and tensor.shape == (128, 128)
    np.testing.assert_allclose(tensor[21:106, :], 128 / 255, atol=1e-6)
    assert np.all(tensor[:21] == 0) and np.all(tensor[106:] == 0)
    # Normalisation applies to the padding too.
    shifted, _ = pp.letterbox(grey, 128, mean=0.5, std=0.25)
    np.testing.assert_allclose(shifted[0, 0], -2.0, atol=1e-6)


def test_round_half_away_from_zero():
    assert pp.round_half_away(2.5) == 3 and pp.round_half_away(3.5) == 4 and pp.round_half_away(-2.5) == -3
    assert pp.letterbox_geometry(384, 320, 128).nh == 107  # 320/3 = 106.67


def test_letterbox_batch_matches_single_letterbox():
    rng = np.random.default_rng(0)
    stack = rng.integers(0, 256, (3, 40, 60)).astype(np.uint8)
    batch, _ = pp.letterbox_batch(stack, 32)
    for k in range(3):
        np.testing.assert_allclose(batch[k], pp.letterbox(stack[k], 32)[0], atol=1e-6)


def test_unletterbox_of_constant_and_of_a_step():
    logits = np.full((128, 128), 2.5, dtype=np.float32)
    up = pp.unletterbox_logits(logits, 300, 200)
    assert up.shape == (200, 300)
    np.testing.assert_allclose(up, 2.5)
    # Content at the same size as the canvas: bilinear with half-pixel centres is the identity.
    ramp = np.arange(16 * 16, dtype=np.float64).reshape(16, 16)
    np.testing.assert_allclose(pp.unletterbox_logits(ramp, 16, 16), ramp)
    # Threshold 0.5 means logit > 0.
    assert pp.threshold_logits(np.array([[-0.1, 0.0, 0.1]])).tolist() == [[0, 0, 1]]


def test_largest_component_is_8_connected_and_holes_are_filled():
    m = np.zeros((20, 20), np.uint8)
    m[2:10, 2:10] = 1
    m[4:6, 4:6] = 0  # a hole
    m[10, 10] = 1  # touches the square only diagonally: same 8-connected component
    m[15:18, 15:18] = 1  # a separate smaller island
    clean = pp.clean_mask(m)
    assert clean[10, 10] == 1 and clean[16, 16] == 0
    assert clean[4:6, 4:6].all()
    # A notch open to the border is not a hole.
    notch = np.ones((10, 10), np.uint8)
    notch[0:5, 4] = 0
    assert pp.fill_holes(notch)[2, 4] == 0


def test_grid_conserves_mass_with_anisotropic_pixels():
    sx, sy = 0.9, 1.1
    mask = ellipse(200, 260, 130, 100, 90, 60)
    grid, (cx, cy) = pp.to_grid(mask, sx, sy)
    assert grid.shape == (96, 96)
    assert grid.min() >= 0 and grid.max() <= 1 + 1e-12
    assert math.isclose(grid.sum() * 3.5**2, mask.sum() * sx * sy, rel_tol=1e-9)
    assert math.isclose(cx, 130 * sx, rel_tol=1e-3) and math.isclose(cy, 100 * sy, rel_tol=1e-3)
    # Centred: the grid's own centroid sits at its middle.
    ys, xs = np.mgrid[0:96, 0:96] + 0.5
    assert abs((grid * xs).sum() / grid.sum() - 48) < 1e-6
    assert abs((grid * ys).sum() / grid.sum() - 48) < 1e-6


def test_fit_check_refuses_a_mask_wider_than_the_grid():
    mask = np.zeros((100, 800), np.uint8)
    mask[40:60, 10:790] = 1  # 780 px · 0.5 mm = 390 mm > 336 mm
    with pytest.raises(pp.OutsideValidatedRange, match="outside the validated range"):
        pp.to_grid(mask, 0.5, 0.5)
    with pytest.raises(ValueError, match="empty"):
        pp.to_grid(np.zeros((10, 10), np.uint8), 1.0, 1.0)


def test_torch_grid_matches_numpy_grid():
    masks = np.stack([ellipse(320, 384, 150, 170, 80, 40), ellipse(320, 384, 200, 120, 30, 50)])
    spacing = np.array([0.45, 0.7])
    got = masks_to_grids(torch.from_numpy(masks).double(), torch.from_numpy(spacing)).numpy()
    for k in range(2):
        want, _ = pp.to_grid(masks[k], spacing[k], spacing[k])
        np.testing.assert_allclose(got[k], want, atol=1e-9)


def test_mulberry32_first_values_match_the_javascript_reference():
    # Values from the canonical JavaScript mulberry32 (Math.imul), seed 20251127 and seed 0.
    rng = pp.Mulberry32(20251127)
    np.testing.assert_allclose(
        [rng.next() for _ in range(4)],
        [0.24011361505836248, 0.9308605256956071, 0.4748151970561594, 0.13482072204351425],
        rtol=0, atol=0,
    )
    rng = pp.Mulberry32(0)
    assert [rng.next() for _ in range(3)] == [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]


def test_box_muller_normals_and_noise_layout():
    rng = pp.Mulberry32(7)
    u1, u2 = 1 - rng.next(), rng.next()
    expected = math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
    assert pp.Mulberry32(7).normal() == expected
    noise = pp.interval_noise(64, 32, 7)
    assert noise.shape == (64, 32) and noise[0, 0] == expected  # sample-major
    big = pp.interval_noise(400, 32, 3)
    assert abs(big.mean()) < 0.03 and abs(big.std() - 1) < 0.03


def test_interval_collapses_without_latent_variance_and_widens_with_it():
    def head(z):
        return z[:, :1] * 0.5  # y = 0.5 · z0

    mu = np.zeros(4)
    noise = pp.interval_noise(64, 4, 1)
    point = pp.estimate_volume(mu, np.full(4, -30.0), head, 5.0, 0.5, 1.5, noise)
    assert math.isclose(point.volume_ml, math.exp(5.0))
    assert point.ci95_ml[1] - point.ci95_ml[0] < 1e-3
    wide = pp.estimate_volume(mu, np.zeros(4), head, 5.0, 0.5, 1.5, noise)
    s = (noise[:, 0] * 0.5).std()
    assert math.isclose(wide.y_std, s, rel_tol=1e-6)
    assert math.isclose(wide.ci95_ml[1], math.exp(5.0 + 0.5 * 1.5 * 1.96 * s), rel_tol=1e-6)


def test_mask_confidence_is_the_mean_probability_inside_the_kept_mask():
    logits = np.zeros((6, 8))
    logits[1:4, 1:5] = 4.0
    logits[2, 2] = 0.5  # one hesitant pixel inside the organ
    logits[5, 7] = 9.0  # outside the mask: does not count
    mask = np.zeros((6, 8), dtype=np.uint8)
    mask[1:4, 1:5] = 1
    sig = lambda x: 1.0 / (1.0 + math.exp(-x))  # noqa: E731
    expected = (11 * sig(4.0) + sig(0.5)) / 12
    assert pp.mask_confidence(logits, mask) == pytest.approx(expected, abs=1e-12)
    assert pp.mask_confidence(logits, np.zeros_like(mask)) == 0.0


def test_scored_postprocess_gives_the_same_mask_and_a_lower_score_for_a_hesitant_network():
    sure = np.full((16, 16), -6.0)
    sure[4:12, 4:12] = 6.0
    unsure = sure / 6.0 * 0.4  # same outline, probabilities near 0.6
    mask_sure, conf_sure = pp.segment_postprocess_scored(sure, 16, 16)
    mask_unsure, conf_unsure = pp.segment_postprocess_scored(unsure, 16, 16)
    assert np.array_equal(mask_sure, pp.segment_postprocess(sure, 16, 16))
    assert np.array_equal(mask_sure, mask_unsure)
    assert conf_sure > 0.95 and conf_unsure < 0.65
