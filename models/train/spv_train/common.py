"""Shared helpers for the training scripts: device and thread choice, resumable checkpoints,
progress with ETA, the learning-rate schedule under a time budget, and split loading.

Everything here must run on two stacks: Debian's torch 1.13 / numpy 1.24 (CPU, this machine) and
torch 2.x / numpy 2.x with CUDA (the GPU box), so only long-stable APIs are used.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

LATEST = "checkpoint_latest.pt"
FINAL = "final.pt"


def log(message: str) -> None:
    """Progress goes to stderr with a wall-clock stamp so a killed run still says where it was."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pick_device(choice: str) -> torch.device:
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda asked for, but torch sees no CUDA device")
    return torch.device(choice)


def set_threads(threads: int | None) -> None:
    """One BLAS/torch thread by default: the CPU box is shared and the GPU box runs 3 trainers."""
    count = threads or int(os.environ.get("SPV_THREADS", "1"))
    torch.set_num_threads(max(1, count))


def seed_everything(seed: int) -> None:
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


# ---------------------------------------------------------------- checkpoints


def cpu_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A state_dict of plain CPU tensors: loadable by torch 1.13 from a torch 2.x save."""
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


def atomic_save(obj: Any, path: Path) -> None:
    """Write via a temporary file (a run killed mid-save leaves the old file whole); the folder is
    created if needed (a --publish path in a new folder once ended a run at its first checkpoint)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_latest(run_dir: Path, payload: dict[str, Any]) -> None:
    atomic_save(payload, run_dir / LATEST)


def save_checkpoint(
    run_dir: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, step: int, elapsed_s: float,
    publish: Path | None, meta_base: dict[str, Any],
) -> None:
    """A trainer's periodic checkpoint: the resumable one (with the optimiser) in run_dir and, when
    publish is set, a weights-only snapshot there marked partial (the file that travels back, so a
    run killed at its time limit still returns usable weights)."""
    save_latest(
        run_dir,
        {"model": cpu_state(model), "optim": optimizer.state_dict(), "step": step, "elapsed_s": elapsed_s},
    )
    if publish is not None:
        snapshot = {**meta_base, "steps": step, "elapsed_s": round(elapsed_s, 1), "partial": True}
        atomic_save({"state_dict": cpu_state(model), "meta": snapshot}, publish)


def publish_final(run_dir: Path, model: torch.nn.Module, meta: dict[str, Any], publish: Path | None) -> Path:
    """The finished weights (no optimiser) in run_dir, and a copy at publish when set."""
    path = save_final(run_dir, model, meta)
    if publish is not None:
        atomic_save({"state_dict": cpu_state(model), "meta": meta}, publish)
    return path


def torch_load(path: Path) -> Any:
    """Load one of OUR checkpoints (written by these scripts, hence trusted). torch ≥ 2.6 defaults
    to weights_only=True and torch 1.13's weights-only reader rejects optimiser states, so the
    full unpickler is asked for explicitly."""
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def load_latest(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / LATEST
    if not path.exists():
        return None
    return torch_load(path)


def save_final(run_dir: Path, model: torch.nn.Module, meta: dict[str, Any]) -> Path:
    """Weights only (no optimiser state): this is the file that travels back, < 15 MB."""
    path = run_dir / FINAL
    atomic_save({"state_dict": cpu_state(model), "meta": meta}, path)
    return path


def load_final(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    blob = torch_load(path)
    return blob["state_dict"], blob["meta"]


def resume(run_dir: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, device: torch.device,
           name: str) -> tuple[int, float]:
    """Load the latest checkpoint of run_dir into model and optimizer, if there is one.
    Returns (step, seconds already spent); (0, 0.0) for a fresh run."""
    resumed = load_latest(run_dir)
    if resumed is None:
        return 0, 0.0
    model.load_state_dict(resumed["model"])
    optimizer.load_state_dict(resumed["optim"])
    optimizer_to(optimizer, device)
    step, elapsed = int(resumed["step"]), float(resumed["elapsed_s"])
    log(f"{name}: resumed at step {step} ({elapsed:.0f}s already spent)")
    return step, elapsed


def optimizer_to(optimizer: torch.optim.Optimizer, device: torch.device) -> None:
    for state in optimizer.state.values():
        for key, value in state.items():
            if torch.is_tensor(value):
                state[key] = value.to(device)


# ---------------------------------------------------------------- budget, schedule, progress


class Budget:
    """Training ends at whichever comes first: the epochs asked for or the minutes allowed.
    Elapsed time carried over from earlier (resumed) runs counts against the budget."""

    def __init__(self, total_steps: int, max_minutes: float, elapsed_before: float = 0.0) -> None:
        self.total_steps = max(1, total_steps)
        self.max_seconds = max_minutes * 60.0 if max_minutes > 0 else math.inf
        self.elapsed_before = elapsed_before
        self.started = time.time()

    def elapsed(self) -> float:
        return self.elapsed_before + time.time() - self.started

    def progress(self, step: int) -> float:
        return min(1.0, max(step / self.total_steps, self.elapsed() / self.max_seconds))

    def done(self, step: int) -> bool:
        return self.progress(step) >= 1.0

    def eta_seconds(self, step: int) -> float:
        p = self.progress(step)
        if p <= 0:
            return math.inf
        return self.elapsed() * (1.0 - p) / p


def cosine_lr(base: float, progress: float, warmup: float = 0.03) -> float:
    if progress < warmup:
        return base * (0.1 + 0.9 * progress / warmup)
    p = (progress - warmup) / (1.0 - warmup)
    return base * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, p))))


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


class Progress:
    def __init__(self, name: str, every_s: float = 10.0) -> None:
        self.name = name
        self.every_s = every_s
        self.last = 0.0

    def maybe(self, step: int, budget: Budget, extra: str, force: bool = False) -> None:
        now = time.time()
        if not force and now - self.last < self.every_s:
            return
        self.last = now
        eta = budget.eta_seconds(step)
        log(
            f"{self.name} step {step}/{budget.total_steps} {budget.progress(step) * 100:5.1f}% "
            f"elapsed {budget.elapsed():6.0f}s eta {eta:6.0f}s  {extra}"
        )


# ---------------------------------------------------------------- data


def load_split(data_dir: Path, split: str, keys: list[str]) -> dict[str, np.ndarray]:
    return load_arrays(Path(data_dir) / f"{split}.npz", keys, "build it first (python3 -m spv_train.dataset ...)")


def load_arrays(path: Path, keys: list[str], how_to_make: str) -> dict[str, np.ndarray]:
    """The named arrays of one .npz; a missing file or array stops the run with a message that says
    what to do (how_to_make) or what the file does hold."""
    if not path.exists():
        raise SystemExit(f"{path} is missing: {how_to_make}")
    with np.load(path) as blob:
        missing = [k for k in keys if k not in blob.files]
        if missing:
            raise SystemExit(f"{path} lacks arrays {missing}; it has {blob.files}")
        return {k: blob[k] for k in keys}


def split_family(path: Path) -> str:
    """The shape family (dataset.SHAPE_FAMILIES) a split file was built from; splits written before
    build_budget recorded it hold shapes.py's spleens ("spleen")."""
    with np.load(path) as blob:
        return str(blob["family"]) if "family" in blob.files else "spleen"


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n")


def holdout_split(n: int, fraction: float = 0.05, cap: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic train/monitor split inside the train set (monitoring only, not evaluation)."""
    n_val = min(cap, max(1, int(n * fraction))) if n >= 8 else 0
    order = np.random.default_rng(12345).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])
