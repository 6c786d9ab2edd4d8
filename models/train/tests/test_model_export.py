"""ONNX export: valid opset-17 graphs with the manifest's names and a dynamic batch axis, whose
outputs equal PyTorch's within 1e-4 when run by onnxruntime — the very runtime the app uses
(onnxruntime-node from the repository's node_modules; Python here has no onnxruntime)."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from spv_train import export
from spv_train.nets import RVAE, UNet

REPO = Path(__file__).resolve().parents[3]
ORT = REPO / "node_modules" / "onnxruntime-node"

RUNNER = """
const ort = require(process.argv[2]);
const fs = require('fs');
(async () => {
  const job = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const session = await ort.InferenceSession.create(job.model);
  const buf = fs.readFileSync(job.input);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = await session.run({ [job.inputName]: new ort.Tensor('float32', data, job.shape) });
  const result = {};
  for (const [name, t] of Object.entries(out)) result[name] = { dims: t.dims, data: Array.from(t.data) };
  fs.writeFileSync(job.output, JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def run_onnxruntime(tmp: Path, model: Path, input_name: str, x: np.ndarray) -> dict:
    (tmp / "runner.cjs").write_text(RUNNER)
    x.astype("<f4").tofile(tmp / "input.f32")
    job = {"model": str(model), "input": str(tmp / "input.f32"), "inputName": input_name,
           "shape": list(x.shape), "output": str(tmp / "out.json")}
    (tmp / "job.json").write_text(json.dumps(job))
    subprocess.run(["node", str(tmp / "runner.cjs"), str(ORT), str(tmp / "job.json")], check=True, timeout=120)
    return {k: np.array(v["data"], dtype=np.float32).reshape(v["dims"]) for k, v in json.loads((tmp / "out.json").read_text()).items()}


def settle_batchnorm(module: torch.nn.Module, example: torch.Tensor) -> None:
    """One train-mode pass so BatchNorm running statistics are not the trivial defaults."""
    module.train()
    with torch.no_grad():
        module(example)
    module.eval()


def check_graph(path: Path, input_name: str, output_names: list[str]) -> None:
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert max(op.version for op in model.opset_import if op.domain in ("", "ai.onnx")) == 17
    assert [i.name for i in model.graph.input] == [input_name]
    assert [o.name for o in model.graph.output] == output_names
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


needs_ort = pytest.mark.skipif(shutil.which("node") is None or not ORT.exists(), reason="node + onnxruntime-node not installed")


@needs_ort
def test_segmenter_onnx_equals_pytorch(tmp_path):
    torch.manual_seed(0)
    unet = UNet()
    settle_batchnorm(unet, torch.rand(4, 1, 128, 128))
    entry = export.export_segmenter(unet, tmp_path)
    path = tmp_path / entry["file"]
    check_graph(path, "image", ["logits"])
    assert entry["sha256"] == export.sha256(path) and path.stat().st_size < 12e6
    x = np.random.default_rng(1).random((2, 1, 128, 128)).astype(np.float32)
    with torch.no_grad():
        want = unet(torch.from_numpy(x)).numpy()
    got = run_onnxruntime(tmp_path, path, "image", x)["logits"]
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=0)


@needs_ort
def test_rvae_parts_onnx_equal_pytorch(tmp_path):
    torch.manual_seed(0)
    model = RVAE(2)
    settle_batchnorm(model.encoder, torch.rand(4, 2, 96, 96))
    settle_batchnorm(model.decoder, torch.randn(4, 32))
    model.eval()
    entries = export.export_rvae(model, "dual", tmp_path)
    rng = np.random.default_rng(2)
    grid = rng.random((3, 2, 96, 96)).astype(np.float32)
    z = rng.standard_normal((3, 32)).astype(np.float32)
    with torch.no_grad():
        mu, logvar = model.encoder(torch.from_numpy(grid))
        y = model.head(torch.from_numpy(z))
        recon = model.decoder(torch.from_numpy(z))
    cases = [("encoder", "grid", grid, {"mu": mu, "logvar": logvar}), ("head", "z", z, {"y": y}),
             ("decoder", "z", z, {"recon_logits": recon})]
    for part, input_name, x, outputs in cases:
        path = tmp_path / entries[part]["file"]
        check_graph(path, input_name, list(outputs))
        assert [o["name"] for o in entries[part]["outputs"]] == list(outputs)
        got = run_onnxruntime(tmp_path, path, input_name, x)
        for name, want in outputs.items():
            np.testing.assert_allclose(got[name], want.numpy(), atol=1e-4, rtol=0, err_msg=f"{part}.{name}")
    total = sum((tmp_path / e["file"]).stat().st_size for e in entries.values())
    assert total < 10e6
