"""Everything after training, on the CPU box:

    cd models/train && python3 -m spv_train.finish --checkpoints DIR [--n-calib 1000 --n-test 1000]

DIR holds what run_gpu.sh / run_cpu.sh left: unet.pt, rvae_single.pt, rvae_dual.pt,
train_summary.npz. Steps: build the calib and test splits (deterministic seeds, cached in --data),
calibrate (interval factor, length-only regression, latent statistics), export the ONNX files and
models/manifest.json, write the golden fixtures, evaluate on the test split (EVALUATION.md,
figures, models/samples/expected.json) and the model card.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import calibrate, common, evaluate, export, golden, infer, preprocess
from .dataset import family_module

HERE = Path(__file__).resolve().parent.parent  # models/train
MODELS = HERE.parent  # models/
REPO = MODELS.parent
SPLIT_KEYS = ["img_cor", "mask_cor", "img_tr", "mask_tr", "spacing_cor", "spacing_tr", "volume_ml",
              "length_cm", "width_cm", "thickness_cm", "craniocaudal_cm"]
SPLIT_SEED = 1  # dataset.build's seed for the calib and test splits


def ensure_split(data_dir: Path, split: str, n: int, workers: int) -> dict:
    """The calib or test split of n shapes. The splits are deterministic and the first n shapes of a
    larger split are those of a smaller one, so nothing evaluated before changes meaning: a stored
    split of more shapes gives its first n; one of fewer is grown (its cases reused), and a missing
    one is built, in data_dir."""
    path = data_dir / f"{split}.npz"
    have = None
    if path.exists():
        with np.load(path) as blob:
            have = len(blob["volume_ml"])
    if have is None or have < n:
        from .dataset import build

        reason = "missing" if have is None else f"held {have} shapes"
        common.log(f"finish: building the {split} split ({n} shapes, {workers} workers) in {data_dir} ({reason})")
        # A larger split starts with the cases of the smaller one: copy those rather than simulate them again.
        reuse = None if have is None else dict(np.load(path))
        build(data_dir, split, n, SPLIT_SEED, workers=workers, reuse=reuse)
    elif have > n:
        common.log(f"finish: the stored {split} split holds {have} shapes; using its first {n}")
    arrays = {key: value[:n] for key, value in common.load_split(data_dir, split, SPLIT_KEYS).items()}
    common.log(f"finish: {split} split has {len(arrays['volume_ml'])} cases")
    return arrays


def calibration_noise(manifest_like: dict) -> dict[str, np.ndarray]:
    return {mode: preprocess.interval_noise(spec["interval"]["samples"], spec["latent_dim"], spec["interval"]["seed"])
            for mode, spec in manifest_like.items()}


def fit_intervals(models: infer.Models, calib: dict, unet_masks: dict, rvae_specs: dict, noise: dict) -> None:
    """c per mode on the calib split with U-Net masks (what the app sees before any correction)."""
    unet_cor, unet_tr = unet_masks["cor"][0], unet_masks["tr"][0]
    gc, ok_c = infer.grids(unet_cor, calib["spacing_cor"])
    gt_, ok_t = infer.grids(unet_tr, calib["spacing_tr"])
    stacks = {"single": (gc[:, None], ok_c), "dual": (np.stack([gc, gt_], 1), ok_c & ok_t)}
    for mode, spec in rvae_specs.items():
        stack, ok = stacks[mode]
        mu, logvar = infer.encode(models.rvae[mode], stack[ok])
        y0, s = infer.point_and_spread(models.rvae[mode], mu, logvar, noise[mode])
        y_true = (np.log(calib["volume_ml"][ok].astype(np.float64)) - spec["volume"]["mean"]) / spec["volume"]["std"]
        c = calibrate.fit_calibration_factor(y_true, y0, s)
        spec["interval"]["calibration_factor"] = c
        spec["interval"]["coverage_calibration"] = calibrate.coverage(y_true, y0, s, c)
        spec["interval"]["calibrated_on"] = "calib split, U-Net masks"
        common.log(f"finish: {mode} calibration factor c = {c:.3f} on {int(ok.sum())} calib cases")


def latent_block(models: infer.Models, mode: str, summary: dict, calib: dict) -> dict:
    mu_key, vol_key = f"{mode}_mu", f"{mode}_volume_ml"
    if mu_key in summary:
        mu, vol, source = summary[mu_key], summary[vol_key], "train split"
    else:  # the training run was cut before it saved latents: use the calib split's GT masks
        gc, _ = infer.grids(calib["mask_cor"], calib["spacing_cor"])
        stack = gc[:, None]
        if mode == "dual":
            gt_, _ = infer.grids(calib["mask_tr"], calib["spacing_tr"])
            stack = np.stack([gc, gt_], 1)
        mu, _ = infer.encode(models.rvae[mode], stack)
        vol, source = calib["volume_ml"], "calib split (train latents missing)"
    block = calibrate.latent_stats(mu, vol.astype(np.float64))
    block["source"] = source
    return block


def load_summary(ckpt: Path, calib: dict) -> dict:
    """train_summary.npz from the training run; if the run was cut before writing it, the calib
    split stands in for the length regression (and latent_block for the latents), and says so."""
    path = ckpt / "train_summary.npz"
    if path.exists():
        with np.load(path) as blob:
            return {k: blob[k] for k in blob.files}
    common.log(f"finish: {path} missing — fitting the length regression on the calib split instead")
    return {"train_length_cm": calib["length_cm"], "train_volume_ml": calib["volume_ml"], "fallback": True}


def sample_rows(csv_path: Path) -> list[dict]:
    if not csv_path.exists():
        return []
    with open(csv_path, newline="") as handle:
        return list(csv.DictReader(handle))


def parse_spacing(text: str) -> tuple[float, float]:
    parts = [float(p) for p in text.replace("x", ";").replace(" ", ";").split(";") if p]
    return (parts[0], parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def read_grey(path: Path) -> np.ndarray:
    image = np.asarray(Image.open(path))
    if image.ndim == 3:  # PIPELINE §1 luma on RGB(A), as float
        image = 0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2]
    return image.astype(np.float64)


def expected_for_samples(models: infer.Models, manifest: dict, noise: dict, samples_dir: Path) -> dict | None:
    """models/samples/expected.json: the app's numbers for each sample case (image and mask mode)."""
    out: dict = {"model_version": manifest["model_version"], "image": {}, "mask": {}}
    found = False
    for kind, csv_name in (("image", "index.csv"), ("mask", "masks.csv")):
        for row in sample_rows(samples_dir / csv_name):
            found = True
            sx, sy = parse_spacing(row["spacing_mm"])
            masks, confidence = [], {}
            for view in ("coronal", "transverse"):
                rel = (row.get(view) or "").strip()
                if not rel:
                    continue
                grey = read_grey(samples_dir / rel)
                if kind == "image":
                    with torch.no_grad():
                        tensor, _ = preprocess.letterbox(grey)
                        logits = models.unet(torch.from_numpy(tensor)[None, None]).numpy()[0, 0]
                    mask, confidence[view] = preprocess.segment_postprocess_scored(logits, grey.shape[1], grey.shape[0])
                else:
                    mask = (grey > 127).astype(np.uint8)
                masks.append(mask)
            entry: dict = {}
            try:
                grids = [preprocess.to_grid(m, sx, sy)[0] for m in masks]
            except (preprocess.OutsideValidatedRange, ValueError) as err:
                out[kind][row["id"]] = {"error": str(err)}
                continue
            for mode, count in (("single", 1), ("dual", 2)):
                if len(grids) < count:
                    continue
                spec = manifest["rvae"][mode]
                mu, logvar = infer.encode(models.rvae[mode], np.stack(grids[:count])[None].astype(np.float32))
                est = preprocess.estimate_volume(mu[0], logvar[0], infer.head_numpy(models.rvae[mode]),
                                                 spec["volume"]["mean"], spec["volume"]["std"],
                                                 spec["interval"]["calibration_factor"], noise[mode])
                entry[mode] = {"volume_ml": est.volume_ml, "ci95_ml": list(est.ci95_ml)}
            chosen = "dual" if "dual" in entry else "single"
            out[kind][row["id"]] = {**entry[chosen], "model": chosen, **entry,
                                    "true_volume_ml": float(row.get("true_volume_ml") or "nan"),
                                    **({"segmentation_confidence": confidence} if confidence else {})}
    return out if found else None


def _head_report(manifest: dict, mode: str) -> dict | None:
    return manifest["training_data"]["training"].get(f"rvae_{mode}", {}).get("head_finetune")


def _head_families(manifest: dict, mode: str) -> list[str]:
    """The shape families (dataset.SHAPE_FAMILIES) the mode's head was re-fitted on; [] if it was not."""
    report = _head_report(manifest, mode)
    return sorted(set(report.get("families", {}).values())) if report else []


def _listed(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def shape_families_line(manifest: dict) -> str:
    """The model card's sentence on which shape generators the RVAEs learned from."""
    refit = [mode for mode in ("single", "dual") if len(_head_families(manifest, mode)) > 1]
    if not refit:
        return "The RVAEs learned one shape generator's spleens (shapes.py)."
    heads = " and ".join(refit) + ("-view heads were" if len(refit) > 1 else "-view head was")
    others = sorted({f for mode in refit for f in _head_families(manifest, mode)} - {"spleen"})
    more = "a second family" if len(others) == 1 else f"{len(others)} more families"
    return (f"The RVAEs' encoders learned one shape generator's spleens (shapes.py); the {heads} re-fitted on "
            f"those and {more} ({_listed([family_module(f) for f in others])}).")


def head_finetune_lines(manifest: dict) -> str:
    """One line per RVAE whose head was re-fitted on the pipeline's own masks (spv_train.finetune_head)."""
    lines = []
    for mode in ("single", "dual"):
        report = _head_report(manifest, mode)
        if report:
            families = _head_families(manifest, mode)
            of_families = (f" from {len(families)} shape generators, {_listed([family_module(f) for f in families])}"
                           if len(families) > 1 else "")
            lines.append(
                f"The {mode}-view RVAE's head was then re-fitted (encoder and decoder unchanged) on latents of "
                f"{report['train_unet_latents']} U-Net masks of images the U-Net never saw and "
                f"{report['train_gt_latents']} ground-truth or perturbed masks{of_families} (spv_train.finetune_head).\n"
            )
    return "".join(lines)


def single_view_limitation(results: dict) -> str:
    """The model card's sentence on the single view against the two-view formulas, from the paired
    differences: "beats" only where the bootstrap interval excludes 0."""
    parts, verdicts = [], set()
    for source, label in (("gt", "ground-truth"), ("unet", "U-Net")):
        delta, low, high = evaluate.versus_best_formula(results, source, "single")
        verdicts.add("beats" if low > 0 else "trails" if high < 0 else "level")
        parts.append(f"{delta:+.2f} points on {label} masks, 95% CI {low:+.2f} to {high:+.2f}")
    how = {frozenset({"beats"}): "beats", frozenset({"trails"}): "falls short of",
           frozenset({"level"}): "is level with"}.get(frozenset(verdicts), "compares differently by mask source with")
    return ("The single-view model cannot see the spleen's thickness: it beats the single-view (length-only)\n"
            f"  formula, and {how} the best formula that also measures the transverse view\n"
            f"  (MRVA difference {parts[0]}; {parts[1]}).")


def confidence_flag_line(manifest: dict, results: dict) -> str:
    """The model card's line on the uncertain-outline warning (PIPELINE §3b), with its test-split rates."""
    flag = manifest["segmenter"].get("confidence")
    if not flag:
        return ""
    rates = ", ".join(f"{view} {share}" for view, share, *_ in evaluate.confidence_flag_rows(results, flag["flag_below"]))
    return ("- The app warns that the AI outline is uncertain when the U-Net's mean probability inside its mask\n"
            f"  is below {flag['flag_below']:.3f} (on the test split: {rates} of images); a warning-free outline can\n"
            "  still be wrong, and on unfamiliar images the warning is far more frequent (models/ROBUSTNESS.md).\n")


def model_card(path: Path, manifest: dict, results: dict, onnx_mb: float, generator_note: str = "") -> None:
    generator_note = f"- {generator_note.strip()}\n" if generator_note.strip() else ""
    d = results["deepspv"]
    ev = lambda s, m: d[(s, m)].metrics  # noqa: E731 — a short accessor for the table below
    best_gt = evaluate.best_formula(results, "gt")
    best_unet = evaluate.best_formula(results, "unet")
    text = f"""# Model card — SPV Workstation models (`{manifest['model_version']}`)

## What they are
- `segmenter.onnx`: a 4-level U-Net ({manifest['segmenter']['input_size']}×{manifest['segmenter']['input_size']} letterboxed grey image → spleen logits).
- `rvae_single_*.onnx`, `rvae_dual_*.onnx`: regression VAEs (DeepSPV, Yuan et al., Medical Image
  Analysis 2025): an encoder from the spleen mask on a {manifest['grid']['size']}×{manifest['grid']['size']} grid of {manifest['grid']['spacing_mm']} mm cells
  (coronal, or coronal + transverse) to a {manifest['rvae']['single']['latent_dim']}-d latent, a head from the latent to log-volume, a decoder
  back to the mask. The 95% interval comes from {manifest['rvae']['single']['interval']['samples']} latent samples, widened by a factor fitted
  on a held-out calibration split. Preprocessing: docs/PIPELINE.md.

## Intended use
Research and software development of the SPV Workstation: estimating spleen volume from 2D
ultrasound views, for comparison with the clinical length formulas. **Not a medical device. Not
validated on patients. Research use only.** A clinician must not base a decision on these numbers.

## Data
Synthetic only (models/DATA_CARD.md): procedurally generated 3D spleens (about 40–2000 mL),
coronal and transverse planes with operator jitter, a physically motivated B-mode simulator.
Splits by 3D shape: {json.dumps(manifest['training_data']['splits'])}.
{head_finetune_lines(manifest)}
## Metrics (held-out synthetic test split, models/EVALUATION.md)
| | single view | dual view |
| --- | --- | --- |
| MRVA, ground-truth masks | {ev('gt', 'single')['mrva_pct']:.1f}% | {ev('gt', 'dual')['mrva_pct']:.1f}% |
| MRVA, U-Net masks | {ev('unet', 'single')['mrva_pct']:.1f}% | {ev('unet', 'dual')['mrva_pct']:.1f}% |
| MAE, U-Net masks | {ev('unet', 'single')['mae_ml']:.0f} mL | {ev('unet', 'dual')['mae_ml']:.0f} mL |
| 95% interval coverage, U-Net masks | {ev('unet', 'single')['coverage']:.1%} | {ev('unet', 'dual')['coverage']:.1%} |

U-Net mean Dice {results['dice']['mean']:.3f}. Best length formula: {best_gt} ({results['formulas'][('gt', best_gt)]['metrics']['mrva_pct']:.1f}% on
ground-truth masks), {best_unet} ({results['formulas'][('unet', best_unet)]['metrics']['mrva_pct']:.1f}% on U-Net masks).

## Limitations
- Trained and evaluated on synthetic data only; real ultrasound differs (artefacts, anatomy,
  operators, machines). Performance on patients is unknown.
- Masks larger than the {manifest['grid']['size'] * manifest['grid']['spacing_mm']:.0f} mm grid are refused ("outside the validated range"), never rescaled.
- The latent distance warns when a case is unlike the training data; it is no guarantee either way.
  The app then shows the verdicts as unverified and asks the reader to compare the volume with the
  length-based formulas before signing off.
- The models take the two views as they are given: the transverse image given as the coronal view
  gives a wrong volume (sample-05: 167 mL and "normal" against 347 mL). The app says the views look
  swapped when the transverse outline is over 1.1 times as long as the coronal one (docs/PIPELINE.md §7b).
- The interval is calibrated on synthetic held-out data; its coverage on real data is unknown.
- One calibration factor per model, fitted on U-Net masks: once the reader has corrected the mask
  the interval is wider than it needs to be (coverage on ground-truth masks {ev('gt', 'single')['coverage']:.1%} single,
  {ev('gt', 'dual')['coverage']:.1%} dual), i.e. conservative.
- The segmenter has seen one simulator's look (with randomised variations): on a second,
  separately written look it loses much of its accuracy, and so do the volumes after it
  (models/ROBUSTNESS.md, `python3 -m spv_train.robustness`). Expect the same on real scans.
- {shape_families_line(manifest)} On spleens from a separately written generator that no training
  saw (models/SHAPE_SHIFT.md, `python3 -m spv_train.shape_shift`), the RVAEs' lead over the length
  formulas from ground-truth masks shrinks or disappears — most for enlarged spleens — and the
  interval covers fewer cases than it states (from ground-truth masks 86–92% in the samples looked at,
  far fewer from U-Net masks); the "unlike the training data" warning
  fires on most of the enlarged ones. Neither the latent samples' spread nor the latent distance
  tells by how much a given case's interval is too narrow (train/README.md, "Widening the interval
  with the latent distance"), so the interval is not widened for such cases. Real spleens come from
  no generator: expect the same, and read the formulas beside the estimate.
{confidence_flag_line(manifest, results)}{generator_note}- {single_view_limitation(results)}
"""
    missed = [f"{name}: {value} (target {target})" for name, target, value, met in
              evaluate.bar_rows(results, onnx_mb, "unet") if not met]
    if missed:
        text += "- Quality bars of issue 3 not met on the synthetic test split:\n" + "".join(f"  - {m}\n" for m in missed)
    path.write_text(text)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoints", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--n-calib", type=int, default=1000)
    ap.add_argument("--n-test", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--early", action="store_true", help="mark the model_version early-… (undertrained)")
    ap.add_argument("--models-dir", type=Path, default=MODELS)
    ap.add_argument("--golden-dir", type=Path, default=REPO / "test" / "fixtures" / "golden")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--generator-note", default="",
                    help="a limitation line for MODEL_CARD.md, e.g. when the train split predates the committed generator")
    ap.add_argument("--training-command", action="append", default=[],
                    help="how the checkpoints were trained, for EVALUATION.md (repeatable)")
    args = ap.parse_args(argv)
    common.set_threads(args.threads)
    t0 = time.time()
    ckpt = args.checkpoints.resolve()

    calib = ensure_split(args.data, "calib", args.n_calib, args.workers)
    test = ensure_split(args.data, "test", args.n_test, args.workers)
    models = infer.load_models(ckpt)
    summary = load_summary(ckpt, calib)

    now = dt.datetime.now(dt.timezone.utc)
    version = f"spv-{now:%Y.%m}-{now:%Y%m%d%H%M}"
    if args.early:
        version = "early-" + version
    rvae_specs = {}
    for mode in ("single", "dual"):
        meta = models.rvae_meta[mode]
        rvae_specs[mode] = {
            "channels": meta["channels"], "latent_dim": int(meta["latent_dim"]),
            "volume": {"transform": "log", "mean": float(meta["y_mean"]), "std": float(meta["y_std"])},
            "interval": {"samples": preprocess.INTERVAL_SAMPLES, "seed": preprocess.INTERVAL_SEED},
        }
    noise = calibration_noise(rvae_specs)
    calib_unet = infer.segment_views(models.unet, calib)
    fit_intervals(models, calib, calib_unet, rvae_specs, noise)
    confidence_flag = calibrate.fit_confidence_flag(np.concatenate([calib_unet[v][1] for v in ("cor", "tr")]))
    common.log(f"finish: segmentation confidence flag below {confidence_flag['flag_below']:.4f}")
    length_only = calibrate.fit_length_regression(summary["train_length_cm"], summary["train_volume_ml"])
    if "fallback" in summary:
        length_only["fitted_on"] = "calib split (train summary missing)"
    for mode in rvae_specs:
        rvae_specs[mode]["latent"] = latent_block(models, mode, summary, calib)

    args.models_dir.mkdir(parents=True, exist_ok=True)
    segmenter = {**export.export_segmenter(models.unet, args.models_dir), "confidence": confidence_flag}
    for mode, spec in rvae_specs.items():
        parts = export.export_rvae(models.rvae[mode], mode, args.models_dir)
        rvae_specs[mode] = {"channels": spec["channels"], "latent_dim": spec["latent_dim"], **parts,
                            **{k: v for k, v in spec.items() if k not in ("channels", "latent_dim")}}
    onnx_mb = sum((args.models_dir / f).stat().st_size for f in
                  [segmenter["file"]] + [rvae_specs[m][p]["file"] for m in rvae_specs for p in ("encoder", "head", "decoder")]) / 1e6
    n_train = int(models.rvae_meta["single"].get("train_cases", 0)) if "fallback" in summary else len(summary["train_volume_ml"])
    splits = {"train": int(n_train), "calib": int(len(calib["volume_ml"])),
              "test": int(len(test["volume_ml"]))}
    all_vol = np.concatenate([calib["volume_ml"], test["volume_ml"]] +
                             ([] if "fallback" in summary else [summary["train_volume_ml"]]))
    manifest = {
        "schema_version": 1, "model_version": version, "created": now.isoformat(timespec="seconds"),
        "opset": export.OPSET, "segmenter": segmenter, "grid": export.grid_spec(), "rvae": rvae_specs,
        "formulas": {"length_only": length_only},
        "training_data": {
            "generator": "models/train/spv_train", "splits": splits,
            "volume_range_ml": [round(float(all_vol.min()), 1), round(float(all_vol.max()), 1)],
            "seeds": {"split_seed_base": {"train": 0, "calib": 10_000_000, "test": 20_000_000},
                      "build_seed": SPLIT_SEED},
            "training": {"unet": models.unet_meta, **{f"rvae_{m}": models.rvae_meta[m] for m in rvae_specs}},
        },
    }

    common.log("finish: evaluating on the test split")
    results = evaluate.evaluate_split(models, manifest, test, noise)
    for mode in rvae_specs:
        manifest["rvae"][mode]["interval"]["coverage_test"] = results["deepspv"][("unet", mode)].metrics["coverage"]
        manifest["rvae"][mode]["evaluation"] = evaluate.summary_for_manifest(results, mode)
    manifest["evaluation"] = {"dice_mean": round(results["dice"]["mean"], 4), "test_shapes": splits["test"],
                              "date": now.date().isoformat(), "onnx_total_mb": round(onnx_mb, 2)}
    export.write_manifest(args.models_dir / "manifest.json", manifest)
    golden.write_golden(args.golden_dir, manifest, models)

    figures = evaluate.plots(results, args.models_dir / "figures")
    commands = [
        *(args.training_command or ["bash models/train/run_gpu.sh \"$OUT\"   # or: nohup bash models/train/run_cpu.sh &"]),
        f"cd models/train && python3 -m spv_train.finish --checkpoints {args.checkpoints} "
        f"{'' if args.data == HERE / 'data' else '--data DATA '}--n-calib {args.n_calib} "
        f"--n-test {args.n_test}{' --early' if args.early else ''}",
    ]
    evaluate.write_report(args.models_dir / "EVALUATION.md", results, manifest, onnx_mb, figures, commands,
                          splits, "unet")
    model_card(args.models_dir / "MODEL_CARD.md", manifest, results, onnx_mb, args.generator_note)
    expected = expected_for_samples(models, manifest, noise, args.models_dir / "samples")
    if expected is not None:
        (args.models_dir / "samples" / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    common.log(f"finish: done in {time.time() - t0:.0f}s — {version}, ONNX {onnx_mb:.1f} MB")


if __name__ == "__main__":
    main()
