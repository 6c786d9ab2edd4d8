"""How much the pipeline loses when the spleen shapes come from other code → models/SHAPE_SHIFT.md.

    python3 -m spv_train.shape_shift --checkpoints DIR [--n 300]        (from models/train/)

The models will be judged on held-out data made by different code with its own shapes and its own
ultrasound look. ROBUSTNESS.md changes the look; this changes the shapes. `spv_train.altshapes`
(written apart from shapes.py, never used for training) makes n spleens; the same views and the
training simulator cut and image them, and `spv_train.evaluate` evaluates them exactly as it does
the test split — from ground-truth masks (the RVAE and the formulas on new shapes) and from U-Net
masks. The same cases rendered in the second look (altlook.py) give both shifts at once, the
closest this project has to the independent set. The first n test cases are evaluated alongside.
Synthetic all ways: this measures sensitivity to the shape generator, not accuracy on patients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
from pathlib import Path

import numpy as np

from . import common, evaluate
from .altshapes import make_alt_spleen
from .calibrate import mahalanobis
from .dataset import VIEW_KEYS, simulate_views
from .robustness import method_rows, probe_setup, render_split

#: Seeds of the alternative shapes: far from every split's shape seeds (they are shapes.py's anyway).
ALT_SEED_BASE = 77_000_000
VIEW_SEED = 0x5A17


def alt_case(seed: int) -> dict:
    """One case from an altshapes spleen: both views imaged by the training simulator."""
    spleen = make_alt_spleen(seed)
    views = simulate_views(spleen, lambda k: np.random.default_rng([int(seed), k, VIEW_SEED]))
    return {"volume_ml": spleen.volume_ml, "box_ratio": spleen.box_ratio, "seed": int(seed), **views}


def _alt_case_or_none(seed: int) -> dict | None:
    """alt_case, or None for a spleen no view plane of the simulator can hold (a rare massive one)."""
    try:
        return alt_case(seed)
    except ValueError as error:
        common.log(f"shape_shift: skipped altshapes seed {seed - ALT_SEED_BASE}: {error}")
        return None


def build_alt_split(n: int, workers: int, first: int = 0) -> dict:
    """The first n alternative-shape cases from seed ALT_SEED_BASE + first on, as arrays in the layout of
    a split file (dataset.build). A seed whose spleen cannot be imaged is skipped and the next one
    taken, so a sample always holds n cases; split["seed"] lists the seeds used (offsets from the base)."""
    cases: list[dict] = []
    next_seed = ALT_SEED_BASE + first
    while len(cases) < n:
        seeds = list(range(next_seed, next_seed + n - len(cases)))
        next_seed += len(seeds)
        if workers <= 1:
            drawn = [_alt_case_or_none(s) for s in seeds]
        else:
            with mp.get_context("spawn").Pool(workers) as pool:
                drawn = pool.map(_alt_case_or_none, seeds, chunksize=4)
        cases += [c for c in drawn if c is not None]
    split: dict = {"seed": np.array([c["seed"] - ALT_SEED_BASE for c in cases], dtype=np.int64)}
    for view, key in VIEW_KEYS:
        split[f"img_{key}"] = np.stack([c[view]["image"] for c in cases])
        split[f"mask_{key}"] = np.stack([c[view]["mask"] for c in cases])
        split[f"spacing_{key}"] = np.array([c[view]["spacing_mm"] for c in cases], dtype=np.float32)
    split["volume_ml"] = np.array([c["volume_ml"] for c in cases], dtype=np.float32)
    split["box_ratio"] = np.array([c["box_ratio"] for c in cases], dtype=np.float32)
    for name in ("length", "width", "thickness", "craniocaudal"):
        split[f"{name}_cm"] = np.array([c["lengths_cm"][name] for c in cases], dtype=np.float32)
    return split


#: Volumes above this (mL) count as enlarged in the report's breakdown (the adult limit is ~314 mL).
ENLARGED_ML = 400.0
#: The formulas the breakdowns set against DeepSPV: the best two on the test split.
BREAKDOWN_FORMULAS = ("Ellipsoid 0.523·L·W·T", "Yetter 0.524·W·T·(ML+CCL)/2")


def latent_flags(results: dict, manifest: dict) -> dict[str, np.ndarray]:
    """Per mode, whether each case's ground-truth-mask latent (from evaluate_split) is beyond the
    manifest's distance threshold — the app's "unlike the training data" warning (PIPELINE §6)."""
    flags = {}
    for mode in ("single", "dual"):
        latent = manifest["rvae"][mode]["latent"]
        mu = results["deepspv"][("gt", mode)].mu
        distance = mahalanobis(mu, np.array(latent["mean"]), np.array(latent["precision"]))
        flags[mode] = distance > latent["distance_threshold"]
    return flags


def _gt_volumes(results: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Ground-truth-mask volumes and validity per method, DeepSPV modes and the breakdown formulas."""
    out = {f"DeepSPV {mode}": (results["deepspv"][("gt", mode)].volume, results["deepspv"][("gt", mode)].ok)
           for mode in ("single", "dual")}
    for name in BREAKDOWN_FORMULAS:
        formula = results["formulas"][("gt", name)]
        out[name] = (formula["volume"], formula["ok"])
    return out


def breakdown_section(columns: list[tuple[str, dict]], flags: list[dict[str, np.ndarray]]) -> list[str]:
    """MRVA from ground-truth masks by size, and by the latent-distance warning, per shape family."""
    lines = ["", "## Where the ground-truth-mask volumes lose, and whether the app says so", "",
             "MRVA % by true volume, and split by the app's \"unlike the training data\" warning (the latent",
             "distance of the case beyond the manifest's threshold, computed on its ground-truth masks; the",
             "warning of the single-view model for the single-view and formula rows of that column, the dual-view",
             "model's for the dual row).", "",
             "| shapes | cases | " + " | ".join(_gt_volumes(columns[0][1])) + " |",
             "| --- | --- | " + " | ".join("---" for _ in _gt_volumes(columns[0][1])) + " |"]
    for (label, res), flag in zip(columns, flags):
        volumes = _gt_volumes(res)
        true_v = res["true_v"]
        groups = [(f"≤ {ENLARGED_ML:.0f} mL", true_v <= ENLARGED_ML, None), (f"> {ENLARGED_ML:.0f} mL", true_v > ENLARGED_ML, None),
                  ("no warning", None, False), ("warned", None, True)]
        for group, by_size, warned in groups:
            cells = []
            for name, (vol, ok) in volumes.items():
                if by_size is not None:
                    sel = ok & by_size
                else:
                    mode_flag = flag["dual" if name == "DeepSPV dual" else "single"]
                    sel = ok & (mode_flag == warned)
                cells.append(f"{evaluate.mrva(vol[sel], true_v[sel]):.2f} (n={int(sel.sum())})" if sel.any() else "—")
            lines.append(f"| {label} | {group} | " + " | ".join(cells) + " |")
    rates = ", ".join(f"{label}: {flag['single'].mean():.1%} single / {flag['dual'].mean():.1%} dual"
                      for (label, _), flag in zip(columns, flags))
    lines += ["", f"Warned share: {rates}.", ""]
    return lines


def _distribution(values: np.ndarray) -> str:
    q = np.percentile(values, [5, 50, 95])
    return f"{q[1]:.3g} (5–95%: {q[0]:.3g}–{q[2]:.3g})"


def write_report(path: Path, manifest: dict, columns: list[tuple[str, dict]], shapes: dict[str, dict],
                 flags: list[dict[str, np.ndarray]], n: int, checkpoints: str, first: int = 0) -> None:
    command = f"--checkpoints {checkpoints} --n {n}" + (f" --first {first}" if first else "")
    seeds = shapes["altshapes.py"]["seed"]
    skipped = sorted(set(range(first, int(seeds[-1]) + 1)) - set(int(s) for s in seeds))
    sample = (f"altshapes seeds {first}–{int(seeds[-1])}" + ("" if first else ", the standing sample")
              + (f"; seed{'s' if len(skipped) > 1 else ''} {', '.join(map(str, skipped))} skipped: no view plane "
                 "of the simulator holds that spleen" if skipped else ""))
    lines = [
        "# Shape shift — spleens from a second shape generator",
        "",
        f"Generated by `spv_train.shape_shift` on {dt.date.today().isoformat()} for model version "
        f"`{manifest['model_version']}` (`python3 -m spv_train.shape_shift {command}`; {sample}).",
        "",
        "The models will be judged on held-out data made by different code with its own shapes. As a proxy,",
        f"{n} spleens come from `spv_train/altshapes.py`, written apart from the shape generators used for training",
        "and never trained on: a chain of ellipsoidal beads along a bent, twisted centreline, smoothed, with a hilum",
        "notch and border clefts cut out. The training views and simulator cut and image them; the last column",
        "renders the same masks in the second look (`altlook.py`, see ROBUSTNESS.md), so both shape and look",
        "differ from training. Synthetic all ways: this measures sensitivity, not accuracy on patients.",
        "",
        "| shapes | n | volume mL, median | V/(L·W·T), median |",
        "| --- | --- | --- | --- |",
    ]
    for label, split in shapes.items():
        lines.append(f"| {label} | {len(split['volume_ml'])} | {_distribution(split['volume_ml'])} | "
                     f"{_distribution(split['box_ratio'])} |")
    header = " | ".join(label for label, _ in columns)
    rule = " | ".join("---" for _ in columns)
    lines += ["", "## U-Net Dice", "", f"| view | {header} |", f"| --- | {rule} |"]
    for view in ("coronal", "transverse", "mean"):
        lines.append(f"| {view} | " + " | ".join(f"{res['dice'][view]:.4f}" for _, res in columns) + " |")
    for source, title, cols in (
        ("gt", "Volumes from ground-truth masks (the look does not matter here)", columns[:2]),
        ("unet", "Volumes from U-Net masks", columns),
    ):
        header = " | ".join(f"MRVA %, {label}" for label, _ in cols)
        lines += ["", f"## {title}", "", f"| method | {header} | 95% coverage, {' | 95% coverage, '.join(l for l, _ in cols)} |",
                  f"| --- | {' | '.join('---' for _ in cols)} | {' | '.join('---' for _ in cols)} |"]
        per_col = [method_rows(res, source) for _, res in cols]
        for name in per_col[0]:
            mrvas = " | ".join(f"{rows[name]['mrva_pct']:.2f}" for rows in per_col)
            covs = " | ".join(f"{rows[name]['coverage']:.1%}" if "coverage" in rows[name] else "—" for rows in per_col)
            lines.append(f"| {name} | {mrvas} | {covs} |")
    lines += [
        "",
        "Formulas use lengths measured on the same masks (PIPELINE §7). The length-only regression and the RVAEs",
        "were fitted on the training generator's shapes, so a different V/(L·W·T) distribution moves them most.",
    ]
    lines += breakdown_section(columns[:2], flags)
    path.write_text("\n".join(lines))


def _first_argument(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--first", type=int, default=0,
                    help="offset of the first altshapes seed: 0 is the standing sample; another offset draws a fresh "
                         "one (to confirm a change chosen after seeing the standing sample)")


def main(argv: list[str] | None = None) -> None:
    setup = probe_setup(__doc__, 300, argv, extra=_first_argument)
    args, manifest, n, models, noise = setup.args, setup.manifest, setup.n, setup.models, setup.noise
    own_split = {key: value[:n] for key, value in setup.test.items()}
    own_split["box_ratio"] = common.load_split(args.data, "test", ["box_ratio"])["box_ratio"][:n]

    common.log(f"shape_shift: building {n} cases from altshapes.py")
    alt = build_alt_split(n, args.workers, args.first)
    common.log("shape_shift: evaluating")
    columns = [
        ("training shapes", evaluate.evaluate_split(models, manifest, own_split, noise)),
        ("other shapes", evaluate.evaluate_split(models, manifest, alt, noise)),
        ("other shapes, second look", evaluate.evaluate_split(models, manifest, render_split(alt, n), noise)),
    ]
    flags = [latent_flags(res, manifest) for _, res in columns[:2]]
    write_report(args.models_dir / "SHAPE_SHIFT.md", manifest, columns,
                 {"training generator (test split)": own_split, "altshapes.py": alt}, flags, n, str(args.checkpoints),
                 args.first)
    common.log("shape_shift: " + ", ".join(f"{label} Dice {res['dice']['mean']:.4f}" for label, res in columns)
               + f"; wrote {args.models_dir / 'SHAPE_SHIFT.md'}")


if __name__ == "__main__":
    main()
