"""from_onnx: networks rebuilt from their ONNX export compute what the exported networks computed,
in eval mode exactly, and in train mode on the cases their BatchNorms were measured on."""

import numpy as np
import pytest
import torch
from torch import nn

from spv_train import export, from_onnx
from spv_train.nets import RVAE, UNet


def trained_looking(module: nn.Module, inputs: torch.Tensor) -> nn.Module:
    """A network whose BatchNorms hold statistics and affine terms far from their defaults, as a
    trained one's do (a fresh network's would make a wrong fold look right)."""
    gen = torch.Generator().manual_seed(3)
    module.train()
    with torch.no_grad():
        for _ in range(3):
            module(inputs)
        for bn in (m for m in module.modules() if isinstance(m, nn.BatchNorm2d)):
            bn.weight.copy_(0.5 + torch.rand(bn.num_features, generator=gen))
            bn.bias.copy_(torch.randn(bn.num_features, generator=gen) * 0.3)
    return module.eval()


def rebuilt(original: nn.Module, fresh: nn.Module, example: torch.Tensor, batches, tmp_path, outputs):
    path = tmp_path / "part.onnx"
    export.export_onnx(original, example, path, "input", outputs)
    report = from_onnx.rebuild_part(fresh, example, path, outputs, batches)
    return report


def first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("part", ["unet", "encoder", "decoder"])
def test_rebuilt_network_equals_the_exported_one(part, tmp_path):
    torch.manual_seed(0)
    if part == "unet":
        make, inputs = (lambda: UNet(base=8)), torch.randn(6, 1, 64, 64)
        example, outputs = torch.zeros(1, 1, 64, 64), ["logits"]
    elif part == "encoder":
        make, inputs = (lambda: RVAE(2).encoder), (torch.rand(6, 2, 96, 96) > 0.6).float()
        example, outputs = torch.zeros(1, 2, 96, 96), ["mu", "logvar"]
    else:
        make, inputs = (lambda: RVAE(1).decoder), torch.randn(6, 32)
        example, outputs = torch.zeros(1, 32), ["recon_logits"]
    original = trained_looking(make(), inputs)
    fresh = make()
    report = rebuilt(original, fresh, example, [inputs], tmp_path, outputs)

    assert report["reexport_gap"] < from_onnx.REEXPORT_TOLERANCE
    if part != "decoder":  # the decoder's BatchNorms after transposed convolutions are kept, not folded
        assert report["folded_batchnorms"] > 0
    probe = torch.randn_like(inputs) if part != "encoder" else (torch.rand_like(inputs) > 0.5).float()
    with torch.no_grad():
        want, got = first(original.eval()(probe)), first(fresh.eval()(probe))
        scale = float(want.abs().max())
        assert float((got - want).abs().max()) <= 1e-4 * scale
        # On the batch the statistics came from, train mode normalises by exactly those statistics.
        want_measured = first(fresh.eval()(inputs))
        got_train = first(fresh.train()(inputs))
    if part != "decoder":  # (kept BatchNorms normalise by the batch in train mode, as in any network)
        assert float((got_train - want_measured).abs().max()) <= 2e-3 * float(want_measured.abs().max())
        assert report["train_mode_gap"] < 1e-3


def test_a_mismatched_network_is_refused(tmp_path):
    path = tmp_path / "unet.onnx"
    export.export_onnx(UNet(base=8).eval(), torch.zeros(1, 1, 64, 64), path, "image", ["logits"])
    with pytest.raises(ValueError, match="shape"):
        from_onnx.rebuild_part(UNet(base=16), torch.zeros(1, 1, 64, 64), path, ["logits"], [torch.randn(2, 1, 64, 64)])


def test_folded_batchnorms_need_inputs(tmp_path):
    path = tmp_path / "enc.onnx"
    encoder = RVAE(1).encoder
    export.export_onnx(encoder.eval(), torch.zeros(1, 1, 96, 96), path, "grid", ["mu", "logvar"])
    with pytest.raises(ValueError, match="input batches"):
        from_onnx.rebuild_part(RVAE(1).encoder, torch.zeros(1, 1, 96, 96), path, ["mu", "logvar"], None)


def test_batchnorm_statistics_are_those_of_the_inputs():
    conv = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, bias=False), nn.BatchNorm2d(3))
    bn = conv[1]
    with torch.no_grad():
        bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0)
        bn.weight.fill_(float(np.sqrt(1 + bn.eps)))
    x = torch.randn(4, 1, 16, 16)
    with torch.no_grad():
        before = conv.eval()(x)
        y = conv[0](x).double()
    from_onnx.measure_batchnorm(conv, [bn], [x])
    assert torch.allclose(bn.running_mean.double(), y.mean(dim=(0, 2, 3)), atol=1e-6)
    assert torch.allclose(bn.running_var.double(), y.var(dim=(0, 2, 3), unbiased=False), atol=1e-5)
    with torch.no_grad():
        assert torch.allclose(conv.eval()(x), before, atol=1e-5)
