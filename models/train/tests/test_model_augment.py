"""U-Net augmentation: look, rendering, texture and framing (augment.randomize_look, randomize_rendering,
randomize_texture, _geometry)."""

import pytest
import torch

from spv_train.augment import augment_images, randomize_look, randomize_rendering, randomize_texture


def _batch(n: int = 8, size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    images = 0.3 + 0.4 * torch.rand(n, 1, size, size)
    images[:, :, :8] = 0.0  # letterbox rows
    images[:, :, 8:, :6] = 0.0  # outside the fan
    targets = torch.zeros(n, 1, size, size)
    targets[:, :, 24:44, 20:48] = 1.0
    return images, targets


def test_nothing_changes_at_share_zero():
    images, targets = _batch()
    assert torch.equal(randomize_look(images, targets, 0.0), images)


def test_spleen_contrast_changes_and_letterbox_rows_stay_empty():
    images, targets = _batch(64)
    out = randomize_look(images, targets, 1.0)
    assert out.shape == images.shape and torch.isfinite(out).all() and (out >= 0).all()
    inside = (out * targets).sum(dim=(1, 2, 3)) / targets.sum(dim=(1, 2, 3))
    ring = torch.zeros_like(targets)
    ring[:, :, 16:52, 12:56] = 1.0
    ring = ring - targets
    around = (out * ring).sum(dim=(1, 2, 3)) / ring.sum(dim=(1, 2, 3))
    ratio = inside / around
    assert (ratio < 0.85).any() and (ratio > 1.2).any()  # darker and brighter spleens both occur
    assert torch.equal(out[:, :, :8], images[:, :, :8])  # the letterbox padding is never filled


@pytest.mark.parametrize("option", ["look", "rendering", "texture"])
def test_augment_images_keeps_targets_independent_of_intensity_options(option):
    images, targets = _batch()
    torch.manual_seed(1)
    _, t_plain = augment_images(images, targets)
    torch.manual_seed(1)
    _, t_changed = augment_images(images, targets, **{option: 1.0})
    assert torch.equal(t_plain, t_changed)


def test_rendering_share_zero_changes_nothing():
    images, _ = _batch()
    assert torch.equal(randomize_rendering(images, 0.0), images)


def test_rendering_keeps_padding_empty_and_grey_order():
    torch.manual_seed(3)
    size = 64
    ramp = torch.linspace(0.05, 0.95, size).expand(size, size).clone()
    images = ramp.expand(32, 1, size, size).clone()
    images[:, :, :8] = 0.0  # letterbox rows
    out = randomize_rendering(images, 1.0)
    assert torch.isfinite(out).all() and (out >= 0).all() and (out <= 1.0 + 1e-6).all()
    assert torch.equal(out[:, :, :8], images[:, :, :8])
    # A monotone display map keeps a brighter column brighter (away from the resampled edges).
    inner = out[:, 0, 16:48, 4:60]
    assert (inner[:, :, 1:] - inner[:, :, :-1] >= -1e-5).all()
    assert not torch.allclose(out, images, atol=1e-3)  # and something did change


def _spread_of_framing(wide: float) -> tuple[float, float]:
    """Standard deviation over a batch of the target's area and of its centre's column."""
    images, targets = _batch(256)
    torch.manual_seed(5)
    _, t = augment_images(images, targets, wide=wide)
    area = t.sum(dim=(1, 2, 3))
    cols = torch.arange(t.shape[-1], dtype=torch.float32)
    centre = (t.sum(dim=2).squeeze(1) * cols).sum(dim=1) / area
    return float(area.std()), float(centre.std())


def test_wide_geometry_frames_the_organ_more_variously():
    area_plain, centre_plain = _spread_of_framing(0.0)
    area_wide, centre_wide = _spread_of_framing(1.0)
    assert area_wide > 1.5 * area_plain  # zoom 0.7–1.4 against 0.85–1.15
    assert centre_wide > 1.5 * centre_plain  # shift ±12.5% against ±5% (plus the mirror)


def test_wide_geometry_at_share_zero_leaves_the_random_stream_alone():
    images, targets = _batch()
    torch.manual_seed(2)
    x_default, t_default = augment_images(images, targets)
    torch.manual_seed(2)
    x_zero, t_zero = augment_images(images, targets, wide=0.0)
    assert torch.equal(t_default, t_zero) and torch.equal(x_default, x_zero)


def test_texture_share_zero_draws_nothing():
    images, _ = _batch()
    torch.manual_seed(4)
    before = torch.get_rng_state()
    assert torch.equal(randomize_texture(images, 0.0), images)
    assert torch.equal(torch.get_rng_state(), before)


def test_texture_keeps_the_field_of_view_and_its_grey_level():
    images, _ = _batch(32)
    torch.manual_seed(6)
    out = randomize_texture(images, 1.0)
    assert out.shape == images.shape and torch.isfinite(out).all()
    assert (out >= 0).all() and (out <= 1.5).all()
    assert torch.equal(out[:, :, :8], images[:, :, :8]) and torch.equal(out[:, :, 8:, :6], images[:, :, 8:, :6])
    fov = images > 0
    assert (out[fov] > 0).all()  # nothing inside the fan is blanked
    mean_in = images[:, :, 8:, 6:].mean(dim=(1, 2, 3))
    mean_out = out[:, :, 8:, 6:].mean(dim=(1, 2, 3))
    assert torch.allclose(mean_in, mean_out, atol=0.05)  # restyled to the image's own mean
    assert not torch.allclose(out, images, atol=1e-2)


def test_texture_with_a_point_filter_is_a_grey_map_that_can_invert():
    """k = 1: each image becomes an affine map of itself inside the fan, and some maps invert it."""
    images, _ = _batch(64)
    torch.manual_seed(7)
    out = randomize_texture(images, 1.0, kernel_sizes=(1,))
    fov = images[0, 0] > 0
    slopes = []
    for a, b in zip(images[:, 0], out[:, 0]):
        xa, xb = a[fov], b[fov]
        keep = (xb > 1e-3 + 1e-6) & (xb < 1.5 - 1e-6)  # away from the clamp
        design = torch.stack([xa[keep], torch.ones_like(xa[keep])], 1)
        coef = torch.linalg.lstsq(design, xb[keep][:, None]).solution[:, 0]
        assert torch.allclose(design @ coef, xb[keep], atol=1e-4)
        slopes.append(float(coef[0]))
    assert min(slopes) < 0 < max(slopes)
