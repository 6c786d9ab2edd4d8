"""U-Net look randomisation (augment.randomize_look)."""

import torch

from spv_train.augment import augment_images, randomize_look


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


def test_augment_images_keeps_targets_independent_of_the_look():
    images, targets = _batch()
    torch.manual_seed(1)
    _, t_plain = augment_images(images, targets)
    torch.manual_seed(1)
    _, t_look = augment_images(images, targets, look=1.0)
    assert torch.equal(t_plain, t_look)
