"""ONNX export (opset 17, dynamic batch axis) and models/manifest.json (the app's contract).

Files: segmenter.onnx, rvae_{single,dual}_{encoder,head,decoder}.onnx, each recorded in the
manifest with its SHA-256, input and output names and shapes. The RVAE is exported as three
graphs so that sampling (PIPELINE §5) happens in TypeScript with the documented generator.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import torch
from torch import nn

from .nets import RVAE, UNet
from .preprocess import GRID_SIZE, GRID_SPACING_MM, NORM_MEAN, NORM_STD, THRESHOLD, UNET_INPUT_SIZE

OPSET = 17


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def onnx_bytes(module: nn.Module, example: torch.Tensor, input_name: str, output_names: list[str]) -> bytes:
    """The module in eval mode as an ONNX graph (BatchNorms folded into their convolutions)."""
    module = module.eval()
    dynamic = {input_name: {0: "batch"}, **{name: {0: "batch"} for name in output_names}}
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            module, (example,), buffer, opset_version=OPSET, input_names=[input_name],
            output_names=output_names, dynamic_axes=dynamic, do_constant_folding=True,
        )
    return buffer.getvalue()


def export_onnx(module: nn.Module, example: torch.Tensor, path: Path, input_name: str, output_names: list[str]) -> None:
    path.write_bytes(onnx_bytes(module, example, input_name, output_names))


def spec(name: str, *shape) -> dict:
    return {"name": name, "shape": ["batch", *shape]}


def export_segmenter(unet: UNet, out_dir: Path) -> dict:
    path = out_dir / "segmenter.onnx"
    export_onnx(unet, torch.zeros(1, 1, UNET_INPUT_SIZE, UNET_INPUT_SIZE), path, "image", ["logits"])
    return {
        "file": path.name, "sha256": sha256(path), "input_size": UNET_INPUT_SIZE,
        "input": spec("image", 1, UNET_INPUT_SIZE, UNET_INPUT_SIZE),
        "output": spec("logits", 1, UNET_INPUT_SIZE, UNET_INPUT_SIZE),
        "normalization": {"mean": NORM_MEAN, "std": NORM_STD}, "threshold": THRESHOLD,
    }


def export_rvae(model: RVAE, mode: str, out_dir: Path) -> dict:
    """Returns the encoder/head/decoder file entries of manifest.rvae.<mode>."""
    c, d, g = model.channels, model.encoder.latent_dim, GRID_SIZE
    parts = {
        "encoder": (model.encoder, torch.zeros(1, c, g, g), "grid", ["mu", "logvar"],
                    [spec("grid", c, g, g)], [spec("mu", d), spec("logvar", d)]),
        "head": (model.head, torch.zeros(1, d), "z", ["y"], [spec("z", d)], [spec("y", 1)]),
        "decoder": (model.decoder, torch.zeros(1, d), "z", ["recon_logits"],
                    [spec("z", d)], [spec("recon_logits", c, g, g)]),
    }
    entries = {}
    for part, (module, example, input_name, output_names, inputs, outputs) in parts.items():
        path = out_dir / f"rvae_{mode}_{part}.onnx"
        export_onnx(module, example, path, input_name, output_names)
        entries[part] = {"file": path.name, "sha256": sha256(path), "inputs": inputs, "outputs": outputs}
    return entries


def grid_spec() -> dict:
    return {"size": GRID_SIZE, "spacing_mm": GRID_SPACING_MM}


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=1) + "\n")
