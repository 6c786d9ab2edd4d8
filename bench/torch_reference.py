"""PyTorch reference timings for `npm run bench` (bench/run.ts): the same networks as the shipped ONNX
graphs, run by PyTorch on the CPU with the same thread count, so that onnxruntime's speed-up can be
stated side by side.

The modules are the training engineer's `spv_train.nets` (U-Net, RVAE encoder/head), built with the
architecture read from the ONNX files (U-Net base width). Weights come from the checkpoints when a
checkpoint folder is given (or found at models/train/checkpoints); otherwise they are freshly
initialised — the cost of a forward pass does not depend on the weight values, only on the graph.

It also states the arithmetic: the U-Net's multiply-adds a pass (counted on its convolution layers)
and the rate of one large fp32 matrix product in PyTorch; with --matmul-onnx PATH it writes that
product as an ONNX graph (two inputs, no weights) for bench/run.ts to time in onnxruntime, so that
both runtimes' U-Net rates can be set against what this CPU does at best.

Prints one JSON object: {"torch": version, "threads": n, "weights": "...", "stages": {name: {"median_ms", "p95_ms"}},
"unet_macs": n, "matmul": {"n", "macs", "median_ms", "onnx"}}.
Exits 3 with a message on stderr when torch or the package cannot be imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


HEAD_REPEATS, HEAD_WARMUP = 2000, 200  # as in bench/run.ts
MATMUL_N = 1024  # large enough that packing and call costs vanish beside the arithmetic


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, repeats: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": percentile(samples, 0.5), "p95_ms": percentile(samples, 0.95)}


def unet_base(onnx_path: Path) -> int:
    """Output channels of the U-Net's first convolution, read from the exported graph."""
    import onnx

    model = onnx.load(str(onnx_path))
    weights = {init.name: init for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Conv" and len(node.input) > 1 and node.input[1] in weights:
            return int(weights[node.input[1]].dims[0])
    raise RuntimeError(f"{onnx_path}: no Conv with an initializer weight")


def conv_macs(model, example) -> int:
    """Multiply-adds of the Conv2d and ConvTranspose2d layers in one forward pass of `example`."""
    import torch

    total = 0

    def count(module, inputs, output) -> None:
        nonlocal total
        kernel = module.weight.shape[2] * module.weight.shape[3]
        if isinstance(module, torch.nn.ConvTranspose2d):
            # Each input element is spread over (out/groups)·kh·kw outputs (weight [in, out/groups, kh, kw]).
            total += inputs[0].numel() * module.weight.shape[1] * kernel
        else:
            # Each output element sums (in/groups)·kh·kw products (weight [out, in/groups, kh, kw]).
            total += output.numel() * module.weight.shape[1] * kernel

    hooks = [
        layer.register_forward_hook(count)
        for layer in model.modules()
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))
    ]
    with torch.no_grad():
        model(example)
    for hook in hooks:
        hook.remove()
    return total


def write_matmul_onnx(path: Path, n: int) -> None:
    """Y = A·B for two float32 [n, n] inputs: the plainest test of a runtime's arithmetic rate."""
    from onnx import TensorProto, helper, save

    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [n, n])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, n])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "matmul", [a, b], [y])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=str(ROOT / "models"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--checkpoints", default=None)
    parser.add_argument("--matmul-onnx", default=None, help="write the matrix-product graph here")
    args = parser.parse_args()

    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    try:
        import torch
    except ImportError as error:
        print(f"torch is not installed here ({error})", file=sys.stderr)
        return 3
    sys.path.insert(0, str(ROOT / "models" / "train"))
    try:
        from spv_train.nets import RVAE, UNet
    except ImportError as error:
        print(f"spv_train.nets cannot be imported ({error})", file=sys.stderr)
        return 3

    torch.set_num_threads(args.threads)
    models = Path(args.models)
    manifest = json.loads((models / "manifest.json").read_text())
    size = manifest["segmenter"]["input_size"]
    grid = manifest["grid"]["size"]

    unet = UNet(base=unet_base(models / manifest["segmenter"]["file"]))
    rvae = {mode: RVAE(len(manifest["rvae"][mode]["channels"])) for mode in ("single", "dual") if mode in manifest["rvae"]}
    weights = "freshly initialised (same graphs; timing does not depend on weight values)"
    checkpoints = Path(args.checkpoints) if args.checkpoints else ROOT / "models" / "train" / "checkpoints"
    if (checkpoints / "unet.pt").exists():
        from spv_train import infer

        loaded = infer.load_models(checkpoints)
        unet, rvae = loaded.unet, loaded.rvae
        weights = f"trained checkpoints from {checkpoints}"
    unet.eval()
    for model in rvae.values():
        model.eval()

    image = torch.zeros(1, 1, size, size)
    d = manifest["rvae"]["single"]["latent_dim"]
    stages = {}
    with torch.no_grad():
        stages["segment (U-Net)"] = timed(lambda: unet(image), args.repeats)
        for mode, model in rvae.items():
            channels = len(manifest["rvae"][mode]["channels"])
            g = torch.rand(1, channels, grid, grid)
            z = torch.randn(args.samples + 1, d)
            stages[f"encode ({mode})"] = timed(lambda: model.encoder(g), args.repeats)
            # Microseconds a call: timed at steady state, as bench/run.ts times it (HEAD_REPEATS, HEAD_WARMUP).
            stages[f"head K={args.samples} ({mode})"] = timed(lambda: model.head(z), HEAD_REPEATS, HEAD_WARMUP)
        a, b = torch.rand(MATMUL_N, MATMUL_N), torch.rand(MATMUL_N, MATMUL_N)
        matmul = {"n": MATMUL_N, "macs": MATMUL_N**3, **timed(lambda: torch.mm(a, b), max(5, args.repeats // 2))}
    if args.matmul_onnx:
        write_matmul_onnx(Path(args.matmul_onnx), MATMUL_N)
        matmul["onnx"] = args.matmul_onnx
    result = {"torch": torch.__version__, "threads": args.threads, "weights": weights, "stages": stages}
    result.update(unet_macs=conv_macs(unet, image), matmul=matmul)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
