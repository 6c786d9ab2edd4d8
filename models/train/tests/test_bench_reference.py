"""bench/torch_reference.py's arithmetic: the multiply-add count it reports for the U-Net and the
matrix-product graph it hands to onnxruntime (bench/run.ts)."""

import importlib.util
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper, shape_inference

from spv_train.nets import UNet

ROOT = Path(__file__).resolve().parents[3]


def load_reference():
    spec = importlib.util.spec_from_file_location("torch_reference", ROOT / "bench" / "torch_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_conv_macs_counts_each_layer_kind_by_hand():
    reference = load_reference()
    # 10×10 outputs × 8 channels, each a sum of 3 channels × 3×3 taps.
    conv = torch.nn.Conv2d(3, 8, 3, padding=1)
    assert reference.conv_macs(conv, torch.zeros(1, 3, 10, 10)) == 10 * 10 * 8 * 3 * 9
    # Stride-2 2×2 transposed: each of the 2×10×10 outputs sums one tap of 4 input channels.
    up = torch.nn.ConvTranspose2d(4, 2, 2, stride=2)
    assert reference.conv_macs(up, torch.zeros(1, 4, 5, 5)) == 2 * 10 * 10 * 4
    # Grouped: each output sums only its group's 2 input channels.
    grouped = torch.nn.Conv2d(4, 4, 1, groups=2)
    assert reference.conv_macs(grouped, torch.zeros(1, 4, 6, 6)) == 6 * 6 * 4 * 2


def onnx_conv_macs(model: onnx.ModelProto) -> int:
    """The same count read from an ONNX graph, with shapes from ONNX's own inference."""
    model = shape_inference.infer_shapes(model)
    shapes = {
        info.name: [dim.dim_value or 1 for dim in info.type.tensor_type.shape.dim]
        for info in [*model.graph.value_info, *model.graph.input, *model.graph.output]
    }
    weights = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            total += int(np.prod(shapes[node.output[0]][1:])) * int(np.prod(weights[node.input[1]].shape[1:]))
        elif node.op_type == "ConvTranspose":
            total += int(np.prod(shapes[node.input[0]][1:])) * int(np.prod(weights[node.input[1]].shape[1:]))
    return total


def test_unet_count_matches_the_exported_graph(tmp_path):
    reference = load_reference()
    unet = UNet(base=8).eval()
    image = torch.zeros(1, 1, 64, 64)
    path = tmp_path / "unet.onnx"
    torch.onnx.export(unet, image, str(path), input_names=["image"], output_names=["logits"], opset_version=17)
    counted = reference.conv_macs(unet, image)
    assert counted == onnx_conv_macs(onnx.load(str(path)))
    assert counted > 0


def test_matmul_graph_is_a_valid_product_of_two_inputs(tmp_path):
    reference = load_reference()
    path = tmp_path / "matmul.onnx"
    reference.write_matmul_onnx(path, 16)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert [node.op_type for node in model.graph.node] == ["MatMul"]
    assert [value.name for value in model.graph.input] == ["a", "b"]
    assert not model.graph.initializer
