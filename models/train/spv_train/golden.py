"""Golden fixtures for the TypeScript parity tests (test/fixtures/golden/, checked within 1e-4).

    python3 -m spv_train.golden --models ../  --checkpoints DIR   (finish.py calls it after export)

Inputs are PNGs (8-bit grey) and little-endian float32 `.f32` files; golden.json describes each
fixture and holds the scalar expectations. The model values are computed with the same eval-mode
PyTorch modules that were exported, so they must be regenerated on every re-export.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image

from . import infer, preprocess


def write_png(path: Path, array: np.ndarray) -> np.ndarray:
    Image.fromarray(array.astype(np.uint8), mode="L").save(path)
    return np.asarray(Image.open(path), dtype=np.uint8)  # what the TypeScript side will decode


def write_f32(path: Path, array: np.ndarray) -> None:
    np.asarray(array, dtype="<f4").tofile(path)


def letterbox_input(width: int = 300, height: int = 200) -> np.ndarray:
    """Varied content: a gradient, a bright disk, a dark bar, fine stripes and deterministic noise."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    img = 40 + 120 * x / width + 30 * np.sin(y / 7.0)
    img[(x - 200) ** 2 + (y - 80) ** 2 < 45**2] = 230
    img[120:140, 30:150] = 10
    img[:, 250:260] = np.where((np.arange(height)[:, None] % 2) == 0, 255, 0)
    img += np.random.default_rng(3).normal(0, 12, img.shape)
    return np.clip(np.round(img), 0, 255)


def unletterbox_logits(size: int) -> np.ndarray:
    """Smooth logits with two blobs (so the largest-component rule matters) and a hole."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    big = 6.0 - np.hypot((x - 50) / 28, (y - 60) / 18) * 6.0
    small = 3.0 - np.hypot((x - 100) / 8, (y - 60) / 8) * 6.0
    hole = 9.0 * np.exp(-(((x - 50) / 5) ** 2 + ((y - 60) / 4) ** 2))
    logits = np.maximum(big, small) - hole
    # Keep sampled values away from the threshold so float rounding cannot flip a pixel.
    return np.where(np.abs(logits) < 1e-3, 1e-3, logits).astype(np.float32)


def spleen_mask(width: int, height: int, sx: float, sy: float, rx_mm: float, ry_mm: float, bend: float) -> np.ndarray:
    """A crescent-like blob in physical units (deterministic, for the grid/model/measure fixtures)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    px, py = (x + 0.5) * sx, (y + 0.5) * sy
    cx, cy = width * sx / 2, height * sy / 2
    u, v = (px - cx) / rx_mm, (py - cy) / ry_mm
    v = v + bend * u**2
    return ((u**2 + v**2 < 1) & ~((u - 0.2) ** 2 + (v + 1.0) ** 2 < 0.25)).astype(np.uint8)


def write_golden(out_dir: Path, manifest: dict, models: infer.Models | None) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    size = manifest["segmenter"]["input_size"]
    norm = manifest["segmenter"]["normalization"]
    golden: dict = {"model_version": manifest["model_version"], "tolerance": 1e-4}

    grey = write_png(out_dir / "letterbox_input.png", letterbox_input())
    tensor, box = preprocess.letterbox(grey.astype(np.float64), size, norm["mean"], norm["std"])
    write_f32(out_dir / "letterbox_expected.f32", tensor)
    golden["letterbox"] = {
        "input": "letterbox_input.png", "width": 300, "height": 200, "size": size,
        "mean": norm["mean"], "std": norm["std"], "nw": box.nw, "nh": box.nh, "ox": box.ox, "oy": box.oy,
        "expected": "letterbox_expected.f32",
    }

    logits = unletterbox_logits(size)
    write_f32(out_dir / "unletterbox_logits.f32", logits)
    up = preprocess.unletterbox_logits(logits.astype(np.float64), 300, 200)
    raw = preprocess.threshold_logits(up, manifest["segmenter"]["threshold"])
    write_png(out_dir / "unletterbox_mask.png", raw * 255)
    write_png(out_dir / "unletterbox_clean_mask.png", preprocess.clean_mask(raw) * 255)
    golden["unletterbox"] = {
        "logits": "unletterbox_logits.f32", "size": size, "width": 300, "height": 200,
        "threshold": manifest["segmenter"]["threshold"],
        "expected_mask": "unletterbox_mask.png", "expected_clean_mask": "unletterbox_clean_mask.png",
        "mask_pixels": int(raw.sum()), "clean_mask_pixels": int(preprocess.clean_mask(raw).sum()),
    }

    g, cell = manifest["grid"]["size"], manifest["grid"]["spacing_mm"]
    views = {
        "coronal": ("grid_mask.png", "grid_expected.f32", 260, 200, 0.9, 1.1, 60.0, 28.0, 0.35),
        "transverse": ("grid_mask_tr.png", "grid_expected_tr.f32", 220, 180, 0.8, 0.8, 35.0, 20.0, 0.25),
    }
    grids = {}
    golden["grid"] = {"size": g, "spacing_mm": cell}
    for view, (name, expected, w, h, sx, sy, rx, ry, bend) in views.items():
        mask = write_png(out_dir / name, spleen_mask(w, h, sx, sy, rx, ry, bend) * 255) > 0
        grid, (cx, cy) = preprocess.to_grid(mask.astype(np.uint8), sx, sy, g, cell)
        write_f32(out_dir / expected, grid)
        grids[view] = grid
        golden["grid"][view] = {
            "mask": name, "width": w, "height": h, "spacing_mm": [sx, sy], "centroid_mm": [cx, cy],
            "expected": expected, "area_mm2": float(mask.sum() * sx * sy),
        }

    if models is not None:
        golden["model"] = {}
        for mode, channels in (("single", ["coronal"]), ("dual", ["coronal", "transverse"])):
            spec = manifest["rvae"][mode]
            model = models.rvae[mode]
            stack = np.stack([grids[c] for c in channels])[None].astype(np.float32)
            mu, logvar = infer.encode(model, stack)
            noise = preprocess.interval_noise(spec["interval"]["samples"], spec["latent_dim"], spec["interval"]["seed"])
            est = preprocess.estimate_volume(
                mu[0], logvar[0], infer.head_numpy(model), spec["volume"]["mean"], spec["volume"]["std"],
                spec["interval"]["calibration_factor"], noise,
            )
            golden["model"][mode] = {
                "inputs": [golden["grid"][c]["mask"] for c in channels],
                "mu": mu[0].tolist(), "logvar": logvar[0].tolist(), "y0": est.y0, "y_std": est.y_std,
                "volume_ml": est.volume_ml, "ci95_ml": list(est.ci95_ml),
            }

    try:
        from .dataset import measure_mask
    except ImportError:
        measure_mask = None
    if measure_mask is not None:
        sx, sy = 0.7, 0.6
        mask = write_png(out_dir / "measure_mask.png", spleen_mask(240, 200, sx, sy, 55.0, 22.0, 0.4) * 255) > 0
        lengths = measure_mask(mask.astype(np.uint8), sx, sy)
        golden["measure"] = {"mask": "measure_mask.png", "spacing_mm": [sx, sy], "expected": to_mm(lengths)}

    seed = manifest["rvae"]["single"]["interval"]["seed"]
    rng = preprocess.Mulberry32(seed)
    uniforms = [rng.next() for _ in range(8)]
    rng = preprocess.Mulberry32(seed)
    normals = [rng.normal() for _ in range(8)]
    golden["rng"] = {"seed": seed, "uniforms": uniforms, "normals": normals}

    (out_dir / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")
    return golden


def to_mm(lengths: dict) -> dict:
    """measure_mask's dict as plain floats in mm (keys ending in _cm are converted, _mm kept)."""
    out = {}
    for key, value in lengths.items():
        if not isinstance(value, (int, float, np.floating, np.integer)) or not math.isfinite(float(value)):
            continue
        if key.endswith("_cm"):
            out[key[:-3] + "_mm"] = float(value) * 10
        else:
            out[key] = float(value)
    return out
