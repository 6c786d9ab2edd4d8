"""Augmentation and grid building in torch, on whatever device trains (GPU on the big box).

- U-Net: geometric (small affine, flips) and intensity (gain, gamma, contrast, noise, blur)
  changes, and optionally look, rendering and texture randomisation (randomize_look,
  randomize_rendering, randomize_texture), so the segmenter does not learn one simulator's look.
- RVAE: masks are perturbed at full image resolution (dilation/erosion, smooth boundary noise) so
  that the imperfect masks the U-Net produces at test time are in the training distribution; then
  they go onto the physical grid exactly as PIPELINE §4 says (same arithmetic as preprocess.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .preprocess import GRID_SIZE, GRID_SPACING_MM


def grid_axis_weights_t(n_pix: int, spacing: torch.Tensor, centre: torch.Tensor, size: int, cell: float) -> torch.Tensor:
    """[B, size, n_pix] overlap weights (torch twin of preprocess.grid_axis_weights)."""
    dev, dt = spacing.device, spacing.dtype
    lo = centre[:, None, None] + (torch.arange(size, device=dev, dtype=dt)[None, :, None] - size / 2) * cell
    hi = lo + cell
    pix_lo = torch.arange(n_pix, device=dev, dtype=dt)[None, None, :] * spacing[:, None, None]
    pix_hi = pix_lo + spacing[:, None, None]
    return torch.clamp(torch.minimum(hi, pix_hi) - torch.maximum(lo, pix_lo), min=0.0) / cell


def masks_to_grids(
    masks: torch.Tensor, spacing: torch.Tensor, size: int = GRID_SIZE, cell: float = GRID_SPACING_MM
) -> torch.Tensor:
    """Masks [B, H, W] (float 0/1) with square pixels spacing [B] mm → grids [B, G, G].

    Masks that would fail the fit check are clipped (training only; the app refuses them)."""
    b, h, w = masks.shape
    m = masks.to(spacing.dtype)
    total = m.sum(dim=(1, 2)).clamp(min=1.0)
    xs = torch.arange(w, device=m.device, dtype=m.dtype) + 0.5
    ys = torch.arange(h, device=m.device, dtype=m.dtype) + 0.5
    cx = spacing * (m.sum(dim=1) * xs).sum(dim=1) / total
    cy = spacing * (m.sum(dim=2) * ys).sum(dim=1) / total
    wx = grid_axis_weights_t(w, spacing, cx, size, cell)
    wy = grid_axis_weights_t(h, spacing, cy, size, cell)
    return wy @ m @ wx.transpose(1, 2)


def perturb_masks(masks: torch.Tensor, strength: float = 1.0) -> torch.Tensor:
    """Masks [B, H, W] 0/1 → perturbed 0/1 masks imitating segmentation error.

    Per sample: dilation or erosion by 0–3 px (or none), then the boundary moved by smooth
    low-frequency noise (a blurred mask plus an upsampled coarse random field, re-thresholded).
    Empty results fall back to the original mask."""
    b, h, w = masks.shape
    m = masks.float()[:, None]
    radius = torch.randint(0, 4, (b,), device=m.device)
    mode = torch.randint(0, 3, (b,), device=m.device)  # 0 none, 1 dilate, 2 erode
    out = m.clone()
    for r in (1, 2, 3):
        for op in (1, 2):
            sel = torch.nonzero((radius == r) & (mode == op)).flatten()
            if len(sel):
                sign = 1.0 if op == 1 else -1.0
                out[sel] = sign * _max_filter(sign * m[sel], r)
    soft = _box_filter(out, 4)
    field = _smooth_field(b, (h, w), (max(2, h // 40), max(2, w // 40)), m.device)
    amp = strength * 0.25 * torch.rand(b, 1, 1, 1, device=m.device)
    noisy = ((soft + amp * field) > 0.5).float()
    empty = noisy.sum(dim=(1, 2, 3)) < 4
    noisy[empty] = m[empty]
    return noisy[:, 0]


def _max_filter(x: torch.Tensor, r: int) -> torch.Tensor:
    """Square (2r+1)² max filter, separable (two 1-D passes) to stay cheap on CPU."""
    x = F.max_pool2d(x, (1, 2 * r + 1), stride=1, padding=(0, r))
    return F.max_pool2d(x, (2 * r + 1, 1), stride=1, padding=(r, 0))


def _box_filter(x: torch.Tensor, r: int) -> torch.Tensor:
    k = 2 * r + 1
    x = F.avg_pool2d(x, (1, k), stride=1, padding=(0, r), count_include_pad=False)
    return F.avg_pool2d(x, (k, 1), stride=1, padding=(r, 0), count_include_pad=False)


def _smooth_field(b: int, size: int | tuple[int, int], cells: int | tuple[int, int], device: torch.device) -> torch.Tensor:
    """[B, 1, H, W] smooth zero-mean random field (a coarse grid of normals, upsampled); size and
    cells are (H, W) pairs or one number for a square."""
    size_hw = (size, size) if isinstance(size, int) else size
    cells_hw = (cells, cells) if isinstance(cells, int) else cells
    coarse = torch.randn(b, 1, *cells_hw, device=device)
    return F.interpolate(coarse, size=size_hw, mode="bilinear", align_corners=False)


def _picked(images: torch.Tensor, p: float) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The share p of the batch that an intensity option changes: a boolean mask over the batch
    and those images; None when it picked no image."""
    pick = torch.rand(images.shape[0], device=images.device) < p
    return (pick, images[pick]) if bool(pick.any()) else None


def randomize_look(images: torch.Tensor, targets: torch.Tensor, p: float) -> torch.Tensor:
    """Look randomisation for a share p of the batch, so that the U-Net keys on the organ's shape
    and boundary rather than on one simulator's rendering (models/ROBUSTNESS.md measured how much
    a second look cost the segmenter):

    - the spleen's echogenicity against its surroundings, anywhere from half to twice (so it can be
      darker than its neighbours, which the simulator rarely draws);
    - distractor regions of random brightness outside the spleen (organs, bowel, fluid);
    - a slow multiplicative bias field and fresh multiplicative speckle of random grain;
    - the dark surround outside the fan filled with texture in a third of them (a linear probe's
      rectangular field of view has no fan corners).

    Images are letterboxed g/255; targets soft masks; both [B, 1, S, S]. Returns the images."""
    picked = _picked(images, p)
    if picked is None:
        return images
    pick, x = picked
    t = targets[pick]
    size, dev = images.shape[-1], images.device
    n = x.shape[0]
    soft = _box_filter(t, 1)
    contrast = torch.exp((torch.rand(n, 1, 1, 1, device=dev) * 1.4 - 0.7))  # 0.5–2
    x = x * (1.0 + (contrast - 1.0) * soft)
    blobs = (_smooth_field(n, size, 6, dev) > 0.9 + 0.6 * torch.rand(n, 1, 1, 1, device=dev)).float()
    blob_level = 0.1 + 1.9 * torch.rand(n, 1, 1, 1, device=dev)
    blobs = _box_filter(blobs, 1) * (1.0 - soft)
    x = x * (1.0 + (blob_level - 1.0) * blobs)
    x = x * torch.exp(0.35 * torch.rand(n, 1, 1, 1, device=dev) * _smooth_field(n, size, 4, dev))
    shape_k = 1.0 + 3.0 * torch.rand(n, 1, 1, 1, device=dev)
    grain = torch.distributions.Gamma(shape_k.expand(n, 1, size, size), shape_k.expand(n, 1, size, size)).sample()
    grain = _box_filter(grain, 1)
    mix = 0.6 * torch.rand(n, 1, 1, 1, device=dev)
    x = x * ((1.0 - mix) + mix * grain / grain.mean(dim=(2, 3), keepdim=True))
    fill = (torch.rand(n, 1, 1, 1, device=dev) < 1 / 3) & (images[pick] <= 0.0)
    texture = 0.3 * (1.0 + 0.3 * _smooth_field(n, size, 8, dev)) * grain
    x = torch.where(fill & (x.sum(dim=3, keepdim=True) > 0), texture, x)  # not the letterbox rows
    out = images.clone()
    out[pick] = x
    return out


def randomize_rendering(images: torch.Tensor, p: float) -> torch.Tensor:
    """Scanner-agnostic rendering changes for a share p of the batch, on top of randomize_look:
    ultrasound machines differ in resolution and in the display map, and the segmenter should not
    care which one drew the image. Deliberately generic (nothing here imitates altlook.py, which
    stays the yardstick):

    - resolution: the image resampled down by 1–2× along each axis independently and back up, so
      the speckle grain and the boundary blur change size and shape (another probe, another depth);
    - display map: a random monotone tone curve on [0, 1] through five random knots (another
      machine's grey map or post-processing), which flattens some grey levels and stretches others
      while black stays black and white stays white (levels above 1 are clipped to 1).

    Images are letterboxed g/255, [B, 1, S, S]; zero padding stays zero. Returns the images."""
    picked = _picked(images, p)
    if picked is None:
        return images
    pick, x = picked
    n, size, dev = x.shape[0], images.shape[-1], images.device
    empty = x <= 0.0
    factors = 1.0 + torch.rand(n, 2)
    rows = []
    for i in range(n):  # each image its own down-sampled size: F.interpolate takes one size a call
        small = (max(8, int(size / float(factors[i, 0]))), max(8, int(size / float(factors[i, 1]))))
        down = F.interpolate(x[i : i + 1], size=small, mode="area")
        rows.append(F.interpolate(down, size=(size, size), mode="bilinear", align_corners=False))
    x = torch.cat(rows)
    # Tone curve on [0, 1]: knots at equal input steps, output steps from random positive weights.
    knots = 6
    steps = torch.exp(0.5 * torch.randn(n, knots - 1, device=dev))
    levels = torch.cat([torch.zeros(n, 1, device=dev), torch.cumsum(steps, 1)], 1)
    levels = levels / levels[:, -1:]
    position = x.clamp(0.0, 1.0) * (knots - 1)
    low = position.floor().clamp(max=knots - 2).long()
    frac = position - low
    flat = low.view(n, -1)
    start = torch.gather(levels, 1, flat).view_as(x)
    end = torch.gather(levels, 1, flat + 1).view_as(x)
    x = torch.where(empty, torch.zeros_like(x), start + frac * (end - start))
    out = images.clone()
    out[pick] = x
    return out


def randomize_texture(images: torch.Tensor, p: float, kernel_sizes: tuple[int, ...] = (1, 3, 5, 7)) -> torch.Tensor:
    """Random-convolution texture randomisation (RandConv, Xu et al., ICLR 2021) for a share p of the
    batch. Each picked image goes through its own random k×k filter (k drawn once per call from
    kernel_sizes, weights N(0, 1/k²)), is brought back to its own mean and spread inside the field
    of view, and is blended with the original by a random weight. A random filter keeps edges where
    they are but changes what the texture, the speckle and the grey levels look like, and may invert
    the contrast: the segmenter has to key on the organ's outline, which is what another scanner or
    simulator keeps. Generic on purpose (nothing here imitates altlook.py, the yardstick).

    Images are letterboxed g/255, [B, 1, S, S]; pixels at 0 (letterbox, outside the fan) stay 0 and
    the result stays in [0, 1.5]. Returns the images; with p = 0 nothing is drawn."""
    if p <= 0:
        return images
    picked = _picked(images, p)
    if picked is None:
        return images
    pick, x = picked
    n, size, dev = x.shape[0], images.shape[-1], images.device
    k = kernel_sizes[int(torch.randint(0, len(kernel_sizes), (1,)))]
    weights = torch.randn(n, 1, k, k, device=dev) / k
    filtered = F.conv2d(x.reshape(1, n, size, size), weights, padding=k // 2, groups=n).reshape(n, 1, size, size)
    inside = (x > 0.0).float()
    count = inside.sum(dim=(2, 3), keepdim=True).clamp(min=1.0)

    def moments(v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = (v * inside).sum(dim=(2, 3), keepdim=True) / count
        spread = (((v - mean) * inside) ** 2).sum(dim=(2, 3), keepdim=True) / count
        return mean, spread.sqrt().clamp(min=1e-4)

    mean_x, std_x = moments(x)
    mean_f, std_f = moments(filtered)
    restyled = (filtered - mean_f) / std_f * std_x + mean_x
    alpha = torch.rand(n, 1, 1, 1, device=dev)
    mixed = (alpha * x + (1.0 - alpha) * restyled).clamp(1e-3, 1.5)
    out = images.clone()
    out[pick] = torch.where(inside > 0, mixed, torch.zeros_like(mixed))
    return out


def _geometry(b: int, wide: float, dev: torch.device) -> tuple[torch.Tensor, ...]:
    """Per-image rotation (rad), zoom, mirror sign and shift (in affine_grid's [-1, 1] units).

    Standard: ±10°, zoom 0.85–1.15, shift ±5% of the side. A share `wide` of the batch draws from
    wider ranges instead — ±25°, zoom 0.7–1.4 (log-uniform), shift ±12.5% — because another
    scanner, operator or simulator frames the organ differently (a deeper or shallower depth
    setting, another probe angle) and the segmenter should not rely on where and how large the
    spleen sits in the frame."""
    angle = (torch.rand(b, device=dev) - 0.5) * 2 * 0.17
    scale = 1.0 + (torch.rand(b, device=dev) - 0.5) * 0.3
    flip = torch.where(torch.rand(b, device=dev) < 0.5, -1.0, 1.0)
    tx = (torch.rand(b, device=dev) - 0.5) * 0.2
    ty = (torch.rand(b, device=dev) - 0.5) * 0.2
    if wide > 0:
        pick = torch.rand(b, device=dev) < wide
        angle = torch.where(pick, (torch.rand(b, device=dev) - 0.5) * 2 * 0.44, angle)
        scale = torch.where(pick, torch.exp((torch.rand(b, device=dev) - 0.5) * 2 * 0.34), scale)
        tx = torch.where(pick, (torch.rand(b, device=dev) - 0.5) * 0.5, tx)
        ty = torch.where(pick, (torch.rand(b, device=dev) - 0.5) * 0.5, ty)
    return angle, scale, flip, tx, ty


def augment_images(
    images: torch.Tensor,
    targets: torch.Tensor,
    look: float = 0.0,
    rendering: float = 0.0,
    wide: float = 0.0,
    texture: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Letterboxed images [B, 1, S, S] (normalised g/255 with mean 0, std 1) and soft targets.

    Geometric changes move image and target together; intensity changes touch the image only;
    `look` > 0 randomises the look of that share of the batch (randomize_look), `rendering` > 0
    the resolution and grey map of that share (randomize_rendering), `wide` > 0 draws that share's
    framing from wider ranges (_geometry), `texture` > 0 passes that share through a random
    convolution (randomize_texture). With all four at 0 the random stream is what it was before they
    existed."""
    b = images.shape[0]
    dev = images.device
    angle, scale, flip, tx, ty = _geometry(b, wide, dev)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    images = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    targets = F.grid_sample(targets, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    x = images.clamp(min=0.0)
    if look > 0:
        x = randomize_look(x, targets, look)
    if rendering > 0:
        x = randomize_rendering(x, rendering)
    if texture > 0:
        x = randomize_texture(x, texture)
    gamma = torch.exp((torch.rand(b, 1, 1, 1, device=dev) - 0.5) * 1.0)  # 0.6–1.65
    gain = 0.6 + 0.8 * torch.rand(b, 1, 1, 1, device=dev)
    x = gain * x.clamp(min=1e-6) ** gamma
    blur = torch.rand(b, device=dev) < 0.3
    if bool(blur.any()):
        x[blur] = F.avg_pool2d(x[blur], 3, stride=1, padding=1)
    x = x + 0.04 * torch.rand(b, 1, 1, 1, device=dev) * torch.randn_like(x)
    return x.clamp(0.0, 1.5), targets
