"""Trainable PyTorch weights rebuilt from the shipped ONNX models, so that the released models can
be fine-tuned on a machine that never held the checkpoints of the runs that made them (`runs/` is
not committed; only the ONNX export and its manifest are).

    python3 -m spv_train.from_onnx --data DIR [DIR ...] --out DIR [--models-dir ../] [--cases 512]

Writes unet.pt, rvae_single.pt and rvae_dual.pt ({state_dict, meta}, as the trainers publish them)
into --out: what `train_unet/train_rvae --init-from` and `run_gpu.sh`'s SPV_INIT take. --data is a
built split with images (`dataset`/`build_budget` without --masks-only) whose train cases supply
the BatchNorm statistics (see below); a few hundred shapes are plenty.

Why the BatchNorm layers need data. The export folds every BatchNorm that follows a convolution
into it (eval mode): the ONNX holds W' = W·γ/σ and b' = β − μ·γ/σ, and neither the running
statistics nor γ and β. Loading W' into the convolution and giving the BatchNorm running mean 0,
variance 1, γ = √(1 + ε) and β = b' reproduces the ONNX exactly in eval mode — but training runs
BatchNorm in train mode, which divides each channel by its batch's own spread and would rescale
every layer on the first step. So the rebuilt BatchNorm gets the running mean m and variance v of
its input measured on real cases, γ = √(v + ε) and β = m + b': in eval mode it is still exactly
y + b', and in train mode, on a batch like those measured, it is close to that. A BatchNorm the
export kept (after a transposed convolution in the decoder) is copied as it is.

Checked twice before anything is written: the rebuilt modules are exported again and every weight
of the new ONNX must equal the shipped one (the mapping is right), and the train-mode output on
held-back cases is compared with the eval-mode output (the statistics are right; logged, and in
the meta as `rebuilt_from_onnx.train_mode_gap`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from . import common
from .export import onnx_bytes, sha256
from .nets import RVAE, UNet
from .preprocess import GRID_SIZE, UNET_INPUT_SIZE

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent.parent
WEIGHTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
ONNX_WEIGHTED = ("Conv", "ConvTranspose", "Gemm")
# Largest relative difference allowed between a re-exported weight and the shipped one: float32
# rounding of W'·√(v+ε)/√(v+ε) and of m + b' − m, far below anything a wrong mapping gives.
REEXPORT_TOLERANCE = 1e-4


def onnx_weight_nodes(model: onnx.ModelProto) -> list[tuple[str, list[np.ndarray]]]:
    """(op type, [weight, bias or BatchNorm parameters]) of each weighted node, in graph order (the
    order the exporter traced the forward pass in)."""
    tensors = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            tensors[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        elif node.op_type == "Identity" and node.input[0] in tensors:
            # The exporter stores equal initializers once and aliases the others through Identity.
            tensors[node.output[0]] = tensors[node.input[0]]
    nodes = []
    for node in model.graph.node:
        if node.op_type in ONNX_WEIGHTED or node.op_type == "BatchNormalization":
            if node.op_type == "Gemm":
                attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
                if attrs.get("transB", 0) != 1 or attrs.get("transA", 0) != 0:
                    raise ValueError(f"Gemm {node.name} is not a Linear layer (transA=0, transB=1)")
            nodes.append((node.op_type, [tensors[name] for name in node.input[1:] if name]))
    return nodes


def execution_order(module: nn.Module, example: torch.Tensor) -> list[nn.Module]:
    """Weighted layers and BatchNorms of `module` in the order its forward pass runs them."""
    order: list[nn.Module] = []
    hooks = [
        m.register_forward_hook(lambda mod, _inp, _out: order.append(mod))
        for m in module.modules()
        if isinstance(m, (*WEIGHTED, nn.BatchNorm2d))
    ]
    try:
        with torch.no_grad():
            module.eval()(example)
    finally:
        for hook in hooks:
            hook.remove()
    return order


def _copy(param: torch.Tensor, value: np.ndarray, what: str) -> None:
    if tuple(param.shape) != value.shape:
        raise ValueError(f"{what}: the ONNX holds shape {value.shape}, the network wants {tuple(param.shape)}")
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.array(value, dtype=np.float32)))


def load_folded(module: nn.Module, example: torch.Tensor, model: onnx.ModelProto) -> list[nn.BatchNorm2d]:
    """Copies the ONNX weights into `module`; each BatchNorm that the export folded away becomes an
    exact identity-plus-bias in eval mode (running mean 0, variance 1). Returns those BatchNorms,
    whose statistics `measure_batchnorm` fills in."""
    layers = execution_order(module, example)
    nodes = onnx_weight_nodes(model)
    folded: list[nn.BatchNorm2d] = []
    k = 0
    for i, layer in enumerate(layers):
        if isinstance(layer, nn.BatchNorm2d):
            continue
        if k >= len(nodes):
            raise ValueError(f"the ONNX has {len(nodes)} weighted nodes; the network has more layers")
        op, arrays = nodes[k]
        k += 1
        expected = {nn.Conv2d: "Conv", nn.ConvTranspose2d: "ConvTranspose", nn.Linear: "Gemm"}[type(layer)]
        if op != expected:
            raise ValueError(f"layer {i} ({type(layer).__name__}) meets ONNX node {op}, expected {expected}")
        _copy(layer.weight, arrays[0], f"layer {i} weight")
        next_bn = layers[i + 1] if i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d) else None
        if next_bn is None:
            if layer.bias is None:
                raise ValueError(f"layer {i} has no bias and no BatchNorm after it: nothing to hold the ONNX bias")
            _copy(layer.bias, arrays[1], f"layer {i} bias")
        elif k < len(nodes) and nodes[k][0] == "BatchNormalization":
            # The export kept this BatchNorm (it follows a transposed convolution): copy it as is.
            scale, shift, mean, var = nodes[k][1]
            k += 1
            for param, value, name in zip(
                (next_bn.weight, next_bn.bias, next_bn.running_mean, next_bn.running_var),
                (scale, shift, mean, var), ("weight", "bias", "running_mean", "running_var"),
            ):
                _copy(param, value, f"BatchNorm after layer {i} {name}")
        else:
            if layer.bias is not None:
                raise ValueError(f"layer {i} has its own bias and a folded BatchNorm: the fold is ambiguous")
            _copy(next_bn.bias, arrays[1], f"folded BatchNorm after layer {i}")
            with torch.no_grad():
                next_bn.running_mean.zero_()
                next_bn.running_var.fill_(1.0)
                next_bn.weight.fill_(float(np.sqrt(1.0 + next_bn.eps)))
            folded.append(next_bn)
    if k != len(nodes):
        raise ValueError(f"the ONNX has {len(nodes)} weighted nodes; the network used {k}")
    return folded


def measure_batchnorm(module: nn.Module, folded: list[nn.BatchNorm2d], batches: list[torch.Tensor]) -> None:
    """Sets each folded BatchNorm's running statistics to those of its input on `batches` and its
    γ, β so that eval mode is unchanged (module docstring)."""
    sums = {id(bn): [0.0, 0.0, 0] for bn in folded}

    def record(bn: nn.Module, inputs: tuple[torch.Tensor, ...], _out: torch.Tensor) -> None:
        x = inputs[0].double()
        acc = sums[id(bn)]
        acc[0] = acc[0] + x.sum(dim=(0, 2, 3))
        acc[1] = acc[1] + (x * x).sum(dim=(0, 2, 3))
        acc[2] += x.numel() // x.shape[1]

    hooks = [bn.register_forward_hook(record) for bn in folded]
    try:
        with torch.no_grad():
            module.eval()
            for batch in batches:
                module(batch)
    finally:
        for hook in hooks:
            hook.remove()
    with torch.no_grad():
        for bn in folded:
            total, total_sq, count = sums[id(bn)]
            mean = total / count
            var = torch.clamp(total_sq / count - mean * mean, min=0.0)
            shift = bn.bias.double().clone()
            bn.running_mean.copy_(mean.float())
            bn.running_var.copy_(var.float())
            bn.weight.copy_(torch.sqrt(var + bn.eps).float())
            bn.bias.copy_((mean + shift).float())


def reexport_gap(module: nn.Module, example: torch.Tensor, model: onnx.ModelProto, output_names: list[str]) -> float:
    """Largest relative difference between the weights of `module` exported again and the shipped
    ONNX's (node by node, in graph order)."""
    again = onnx_weight_nodes(onnx.load_from_string(onnx_bytes(module, example, "input", output_names)))
    shipped = onnx_weight_nodes(model)
    if [op for op, _ in again] != [op for op, _ in shipped]:
        raise ValueError("the rebuilt network exports to a different graph than the shipped one")
    gap = 0.0
    for (_, new), (_, old) in zip(again, shipped):
        for a, b in zip(new, old):
            scale = max(float(np.abs(b).max()), 1e-6)
            gap = max(gap, float(np.abs(a - b).max()) / scale)
    return gap


def unet_batches(data_dirs: list[Path], cases: int, batch: int) -> list[torch.Tensor]:
    from .train_unet import cached_letterbox

    images = np.concatenate([cached_letterbox(d, "train", torch.device("cpu"))[0] for d in data_dirs])
    pick = np.random.default_rng(0).permutation(len(images))[: 2 * cases]
    x = torch.from_numpy(images[pick].astype(np.float32)).unsqueeze(1)
    return list(torch.split(x, batch))


def grid_batches(data_dirs: list[Path], mode: str, cases: int, batch: int) -> list[torch.Tensor]:
    from .train_rvae import VIEWS, GridSource, load_splits

    views = VIEWS[mode]
    data = load_splits(data_dirs, "train", [f"mask_{v}" for v in views] + [f"spacing_{v}" for v in views])
    n = len(data[f"mask_{views[0]}"])
    source = GridSource(data, views, torch.device("cpu"))
    pick = torch.from_numpy(np.random.default_rng(1).permutation(n)[:cases])
    return [source.grids(idx, 0.0) for idx in torch.split(pick, batch)]


def train_mode_gap(module: nn.Module, batches: list[torch.Tensor]) -> float:
    """Mean absolute difference between train-mode and eval-mode outputs over the spread of the
    eval outputs: how much the first training step's forward pass differs from the shipped model.
    Running statistics are restored afterwards (train mode updates them)."""
    saved = {k: v.clone() for k, v in module.state_dict().items()}
    diffs, spreads = [], []
    with torch.no_grad():
        for batch in batches:
            ref = module.eval()(batch)
            got = module.train()(batch)
            ref, got = (ref[0], got[0]) if isinstance(ref, tuple) else (ref, got)
            diffs.append(float((got - ref).abs().mean()))
            spreads.append(float(ref.std()))
    module.load_state_dict(saved)
    module.eval()
    return float(np.mean(diffs) / max(np.mean(spreads), 1e-12))


def rebuild_part(module: nn.Module, example: torch.Tensor, onnx_path: Path, outputs: list[str],
                 batches: list[torch.Tensor] | None) -> dict:
    """Loads one ONNX graph into `module`, measures its folded BatchNorms on `batches` and checks
    the result (module docstring). `batches` are the module's own inputs."""
    model = onnx.load(str(onnx_path))
    folded = load_folded(module, example, model)
    if folded:
        if not batches:
            raise ValueError(f"{onnx_path.name} has folded BatchNorms: give input batches to measure them")
        measure_batchnorm(module, folded, batches[:-1] or batches)
    gap = reexport_gap(module, example, model, outputs)
    if gap > REEXPORT_TOLERANCE:
        raise ValueError(f"{onnx_path.name}: re-exported weights differ from the shipped ones by {gap:.2e} (relative)")
    report = {"file": onnx_path.name, "sha256": sha256(onnx_path), "reexport_gap": gap,
              "folded_batchnorms": len(folded)}
    if folded:
        report["train_mode_gap"] = round(train_mode_gap(module, batches[-1:]), 5)
    return report


def rebuild_unet(models_dir: Path, batches: list[torch.Tensor]) -> tuple[UNet, dict]:
    unet = UNet()
    example = torch.zeros(1, 1, UNET_INPUT_SIZE, UNET_INPUT_SIZE)
    return unet, rebuild_part(unet, example, models_dir / "segmenter.onnx", ["logits"], batches)


def rebuild_rvae(models_dir: Path, mode: str, channels: int, grids: list[torch.Tensor]) -> tuple[RVAE, dict]:
    rvae = RVAE(channels)
    d = rvae.encoder.latent_dim
    enc = rebuild_part(rvae.encoder, torch.zeros(1, channels, GRID_SIZE, GRID_SIZE),
                       models_dir / f"rvae_{mode}_encoder.onnx", ["mu", "logvar"], grids)
    with torch.no_grad():
        latents = [rvae.encoder.eval()(g)[0] for g in grids]
    head = rebuild_part(rvae.head, torch.zeros(1, d), models_dir / f"rvae_{mode}_head.onnx", ["y"], None)
    dec = rebuild_part(rvae.decoder, torch.zeros(1, d), models_dir / f"rvae_{mode}_decoder.onnx",
                       ["recon_logits"], latents)
    return rvae, {"encoder": enc, "head": head, "decoder": dec}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, nargs="+", required=True,
                    help="built split(s) with images; their train cases give the BatchNorm statistics")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--models-dir", type=Path, default=MODELS)
    ap.add_argument("--cases", type=int, default=512, help="train cases measured (the last batch is held back)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)
    common.set_threads(args.threads)
    torch.manual_seed(0)
    manifest = json.loads((args.models_dir / "manifest.json").read_text())
    history = manifest.get("training_data", {}).get("training", {})
    args.out.mkdir(parents=True, exist_ok=True)

    def save(kind: str, module: nn.Module, report: dict, extra: dict | None = None) -> None:
        meta = {**history.get(kind, {"kind": kind}), **(extra or {})}
        meta["rebuilt_from_onnx"] = {"model_version": manifest["model_version"], "cases": args.cases,
                                     "data": [str(d) for d in args.data], **report}
        common.atomic_save({"state_dict": common.cpu_state(module), "meta": meta}, args.out / f"{kind}.pt")
        common.log(f"from_onnx: {kind} ← {manifest['model_version']}: {json.dumps(report)}")

    unet, report = rebuild_unet(args.models_dir, unet_batches(args.data, args.cases, args.batch))
    save("unet", unet, report)
    for mode, channels in (("single", 1), ("dual", 2)):
        entry = manifest["rvae"][mode]
        if len(entry["channels"]) != channels:
            raise SystemExit(f"manifest.rvae.{mode} has channels {entry['channels']}, expected {channels}")
        rvae, report = rebuild_rvae(args.models_dir, mode, channels,
                                    grid_batches(args.data, mode, args.cases, args.batch))
        volume = entry["volume"]
        save(f"rvae_{mode}", rvae, report, {"y_mean": float(volume["mean"]), "y_std": float(volume["std"])})


if __name__ == "__main__":
    main()
