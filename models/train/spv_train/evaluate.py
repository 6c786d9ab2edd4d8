"""Evaluation on the held-out test split (DESIGN §5, issue 3's bars) → models/EVALUATION.md.

Called by finish.py after calibration and export; it uses the same eval-mode modules that were
exported (infer.py), so its numbers are the ONNX pipeline's numbers. Metrics:
- U-Net Dice on original-size masks after PIPELINE §3 (both views);
- DeepSPV single/dual: MRVA = mean(1 − |v̂ − v| / v) in %, MAE in mL, 95% interval coverage,
  from ground-truth masks and from U-Net masks;
- every length formula on lengths measured (PIPELINE §7) on the same GT and U-Net masks;
- scatter and Bland–Altman plots for DeepSPV and the best formula.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import infer, preprocess
from .calibrate import coverage

BARS = {
    "dice": 0.93,
    "mrva_gt_single": 88.0,
    "mrva_gt_dual": 92.5,
    "mrva_unet_single": 85.0,
    "mrva_unet_dual": 90.0,
    "coverage": (0.93, 0.97),
    "onnx_mb": 40.0,
}


def mrva(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(1.0 - np.abs(pred - true) / true) * 100.0)


def mae(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(np.abs(pred - true)))


# Paired bootstrap of an MRVA difference: resamples and seed (fixed, so a report is reproducible).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261128


def paired_mrva_difference(pred_a: np.ndarray, pred_b: np.ndarray, true: np.ndarray) -> tuple[float, float, float]:
    """MRVA of a minus MRVA of b on the same cases, in points, with a 95% percentile-bootstrap
    interval over cases. A margin of a few tenths between two estimators on 1,000 cases is often
    inside that interval; the report shows it so that such a "beats" is not read as more."""
    diff = (np.abs(pred_b - true) - np.abs(pred_a - true)) / true * 100.0
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = diff[rng.integers(0, len(diff), size=(BOOTSTRAP_RESAMPLES, len(diff)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0, b > 0
    denom = a.sum() + b.sum()
    return 1.0 if denom == 0 else float(2.0 * (a & b).sum() / denom)


# The only formula that, like the single-view model, needs the coronal view alone; the others
# take width and thickness from the transverse view.
SINGLE_VIEW_FORMULA = "Length-only regression"


def formula_volumes(lengths: dict, length_only: dict) -> dict[str, np.ndarray]:
    """DESIGN §6 formulas; lengths in cm → mL."""
    L, W, T, ccl = (np.asarray(lengths[k], dtype=np.float64) for k in ("length", "width", "thickness", "craniocaudal"))
    return {
        "Ellipsoid 0.523·L·W·T": 0.523 * L * W * T,
        "Prassopoulos 30 + 0.58·L·W·T": 30.0 + 0.58 * L * W * T,
        "Yetter 0.524·W·T·(ML+CCL)/2": 0.524 * W * T * (L + ccl) / 2.0,
        SINGLE_VIEW_FORMULA: length_only["intercept_ml"] + length_only["slope_ml_per_cm"] * L,
    }


def measured_lengths(mask_cor: np.ndarray, sp_cor: np.ndarray, mask_tr: np.ndarray, sp_tr: np.ndarray) -> dict:
    from .dataset import lengths_cm

    out: dict[str, list[float]] = {k: [] for k in ("length", "width", "thickness", "craniocaudal")}
    for k in range(len(mask_cor)):
        try:
            row = lengths_cm(mask_cor[k], float(sp_cor[k]), mask_tr[k], float(sp_tr[k]))
        except ValueError:  # an empty U-Net mask: no measurement, as a sonographer could not measure
            row = {key: np.nan for key in out}
        for key in out:
            out[key].append(row[key])
    return {k: np.array(v) for k, v in out.items()}


@dataclass
class ModeResult:
    volume: np.ndarray
    y0: np.ndarray
    s: np.ndarray
    ok: np.ndarray  # fits the grid (the app refuses the rest)
    metrics: dict = field(default_factory=dict)
    mu: np.ndarray | None = None  # the encoder's latent means [N, D] (the app's latent distance)


def run_mode(model, spec: dict, grid_stack: np.ndarray, ok: np.ndarray, noise: np.ndarray, true_v: np.ndarray) -> ModeResult:
    mu, logvar = infer.encode(model, grid_stack)
    y0, s = infer.point_and_spread(model, mu, logvar, noise)
    vol = infer.volumes(y0, spec["volume"]["mean"], spec["volume"]["std"])
    y_true = (np.log(true_v) - spec["volume"]["mean"]) / spec["volume"]["std"]
    c = spec["interval"]["calibration_factor"]
    res = ModeResult(vol, y0, s, ok, mu=mu)
    res.metrics = {
        "mrva_pct": mrva(vol[ok], true_v[ok]),
        "mae_ml": mae(vol[ok], true_v[ok]),
        "coverage": coverage(y_true[ok], y0[ok], s[ok], c),
        "refused": int((~ok).sum()),
        "n": int(ok.sum()),
    }
    return res


def evaluate_split(models: infer.Models, manifest: dict, test: dict, noise: dict[str, np.ndarray]) -> dict:
    """All metrics on one split (arrays as load_split returns them)."""
    true_v = test["volume_ml"].astype(np.float64)
    (unet_cor, conf_cor), (unet_tr, conf_tr) = infer.segment_views(models.unet, test).values()
    dice_cor = np.array([dice(a, b) for a, b in zip(unet_cor, test["mask_cor"])])
    dice_tr = np.array([dice(a, b) for a, b in zip(unet_tr, test["mask_tr"])])

    grids = {}
    for source, (mc, mt) in {"gt": (test["mask_cor"], test["mask_tr"]), "unet": (unet_cor, unet_tr)}.items():
        gc, ok_c = infer.grids(mc, test["spacing_cor"])
        gt_, ok_t = infer.grids(mt, test["spacing_tr"])
        grids[source] = {"single": (gc[:, None], ok_c), "dual": (np.stack([gc, gt_], 1), ok_c & ok_t)}

    results: dict = {"deepspv": {}, "formulas": {}}
    for source in ("gt", "unet"):
        for mode in ("single", "dual"):
            stack, ok = grids[source][mode]
            results["deepspv"][(source, mode)] = run_mode(
                models.rvae[mode], manifest["rvae"][mode], stack, ok, noise[mode], true_v
            )
    length_only = manifest["formulas"]["length_only"]
    gt_lengths = {k: test[f"{k}_cm"].astype(np.float64) for k in ("length", "width", "thickness", "craniocaudal")}
    unet_lengths = measured_lengths(unet_cor, test["spacing_cor"], unet_tr, test["spacing_tr"])
    for source, lengths in (("gt", gt_lengths), ("unet", unet_lengths)):
        for name, vol in formula_volumes(lengths, length_only).items():
            ok = np.isfinite(vol)
            results["formulas"][(source, name)] = {
                "volume": vol, "ok": ok,
                "metrics": {"mrva_pct": mrva(vol[ok], true_v[ok]), "mae_ml": mae(vol[ok], true_v[ok]), "n": int(ok.sum())},
            }
    results["dice"] = {"coronal": float(dice_cor.mean()), "transverse": float(dice_tr.mean()),
                       "mean": float(np.concatenate([dice_cor, dice_tr]).mean())}
    results["segmentation"] = {"coronal": {"dice": dice_cor, "confidence": conf_cor},
                               "transverse": {"dice": dice_tr, "confidence": conf_tr}}
    results["true_v"] = true_v
    results["n"] = len(true_v)
    return results


def plots(results: dict, figures: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures.mkdir(parents=True, exist_ok=True)
    true_v = results["true_v"]
    best = {source: best_formula(results, source) for source in ("gt", "unet")}
    panels = []
    for source, label in (("gt", "GT masks"), ("unet", "U-Net masks")):
        for mode in ("single", "dual"):
            r = results["deepspv"][(source, mode)]
            panels.append((f"DeepSPV {mode} ({label})", r.volume, r.ok))
        f = results["formulas"][(source, best[source])]
        panels.append((f"{best[source]} ({label})", f["volume"], f["ok"]))
    written = []
    for kind in ("scatter", "bland_altman"):
        fig, axes = plt.subplots(2, 3, figsize=(13, 8.5))
        for ax, (title, pred, ok) in zip(axes.ravel(), panels):
            t, p = true_v[ok], pred[ok]
            if kind == "scatter":
                ax.scatter(t, p, s=6, alpha=0.5)
                lim = [min(t.min(), p.min()) * 0.9, max(t.max(), p.max()) * 1.1]
                ax.plot(lim, lim, "k--", lw=1)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.set_xlabel("true volume (mL)")
                ax.set_ylabel("estimated volume (mL)")
            else:
                mean, diff = (t + p) / 2, (p - t) / t * 100
                bias, sd = diff.mean(), diff.std()
                ax.scatter(mean, diff, s=6, alpha=0.5)
                for y, style in ((bias, "-"), (bias + 1.96 * sd, "--"), (bias - 1.96 * sd, "--")):
                    ax.axhline(y, color="k", ls=style, lw=1)
                ax.set_xscale("log")
                ax.set_xlabel("mean of true and estimate (mL)")
                ax.set_ylabel("difference (% of true)")
                ax.set_title(f"bias {bias:.1f}%, LoA ±{1.96 * sd:.1f}%", fontsize=8, loc="right")
            ax.set_title(title, fontsize=9, loc="left")
        fig.tight_layout()
        path = figures / f"eval_{kind}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path.name)
    return written


def best_formula(results: dict, source: str) -> str:
    names = [name for (src, name) in results["formulas"] if src == source]
    return max(names, key=lambda n: results["formulas"][(source, n)]["metrics"]["mrva_pct"])


def versus_best_formula(results: dict, source: str, mode: str) -> tuple[float, float, float]:
    """DeepSPV's MRVA minus the best formula's, paired on the cases both estimate (from masks of
    source), with its 95% bootstrap interval (paired_mrva_difference)."""
    r = results["deepspv"][(source, mode)]
    formula = results["formulas"][(source, best_formula(results, source))]
    both = r.ok & formula["ok"]
    return paired_mrva_difference(r.volume[both], formula["volume"][both], results["true_v"][both])


def summary_for_manifest(results: dict, mode: str) -> dict:
    gt = results["deepspv"][("gt", mode)].metrics
    un = results["deepspv"][("unet", mode)].metrics
    return {"mrva_gt_pct": round(gt["mrva_pct"], 3), "mae_gt_ml": round(gt["mae_ml"], 3),
            "mrva_unet_pct": round(un["mrva_pct"], 3), "mae_unet_ml": round(un["mae_ml"], 3),
            "coverage_gt": round(gt["coverage"], 4), "coverage_unet": round(un["coverage"], 4)}


def bar_rows(results: dict, onnx_mb: float, coverage_source: str) -> list[tuple[str, str, str, bool]]:
    d = results["deepspv"]
    rows = [
        ("U-Net mean Dice", f"≥ {BARS['dice']}", f"{results['dice']['mean']:.4f}", results["dice"]["mean"] >= BARS["dice"]),
    ]
    for source, label in (("gt", "GT"), ("unet", "U-Net")):
        for mode in ("single", "dual"):
            bar = BARS[f"mrva_{source}_{mode}"]
            value = d[(source, mode)].metrics["mrva_pct"]
            rows.append((f"MRVA {label} masks, {mode} view", f"≥ {bar}%", f"{value:.2f}%", value >= bar))
    for source, label in (("gt", "GT"), ("unet", "U-Net")):
        best = best_formula(results, source)
        best_value = results["formulas"][(source, best)]["metrics"]["mrva_pct"]
        single_view = results["formulas"][(source, SINGLE_VIEW_FORMULA)]["metrics"]["mrva_pct"]
        for mode in ("dual", "single"):
            value = d[(source, mode)].metrics["mrva_pct"]
            delta, low, high = versus_best_formula(results, source, mode)
            rows.append((f"DeepSPV {mode} beats every formula ({label} masks)", f"> {best} ({best_value:.2f}%)",
                         f"{value:.2f}% (paired Δ {delta:+.2f}, 95% CI {low:+.2f} to {high:+.2f})", value > best_value))
        value = d[(source, "single")].metrics["mrva_pct"]
        rows.append((f"DeepSPV single beats the single-view formula ({label} masks)",
                     f"> {SINGLE_VIEW_FORMULA} ({single_view:.2f}%)", f"{value:.2f}%", value > single_view))
    lo, hi = BARS["coverage"]
    for mode in ("single", "dual"):
        cov = d[(coverage_source, mode)].metrics["coverage"]
        rows.append((f"95% interval coverage, {mode} ({coverage_source.upper()} masks)", f"{lo:.0%}–{hi:.0%}",
                     f"{cov:.1%}", lo <= cov <= hi))
    rows.append(("Shipped ONNX size", f"≤ {BARS['onnx_mb']:.0f} MB", f"{onnx_mb:.1f} MB", onnx_mb <= BARS["onnx_mb"]))
    return rows


POOR_DICE = 0.8


def confidence_flag_rows(results: dict, flag_below: float) -> list[tuple[str, str, str, str, str]]:
    """Per view: share of images the app would flag as uncertain, mean Dice of flagged and unflagged
    masks, and the share of poor masks (Dice < POOR_DICE) that the flag catches."""
    rows = []
    for view, seg in results["segmentation"].items():
        flagged = seg["confidence"] < flag_below
        poor = seg["dice"] < POOR_DICE
        mean_dice = lambda pick: f"{seg['dice'][pick].mean():.3f}" if pick.any() else "—"  # noqa: E731
        caught = f"{flagged[poor].mean():.0%} of {int(poor.sum())}" if poor.any() else "none poor"
        rows.append((view, f"{flagged.mean():.1%}", mean_dice(flagged), mean_dice(~flagged), caught))
    return rows


def flagged_cases(results: dict, mode: str, flag_below: float) -> np.ndarray:
    """Cases whose estimate would carry the uncertain-outline warning: any view the mode uses flagged."""
    seg = results["segmentation"]
    flagged = seg["coronal"]["confidence"] < flag_below
    if mode == "dual":
        flagged = flagged | (seg["transverse"]["confidence"] < flag_below)
    return flagged


def mrva_by_flag(results: dict, mode: str, flag_below: float) -> dict[str, tuple[float, int]]:
    """DeepSPV's MRVA on U-Net masks for the unflagged and the flagged cases: (MRVA %, n) each."""
    res = results["deepspv"][("unet", mode)]
    flagged = flagged_cases(results, mode, flag_below)
    out = {}
    for label, pick in (("not flagged", res.ok & ~flagged), ("flagged", res.ok & flagged)):
        out[label] = (mrva(res.volume[pick], results["true_v"][pick]) if pick.any() else float("nan"), int(pick.sum()))
    return out


def confidence_flag_tables(looks: list[tuple[str, dict]], flag_below: float) -> list[str]:
    """The two markdown tables of the uncertain-outline warning (per view; MRVA by flag per model)
    for one or more looks; with more than one look, each row starts with the look's name."""
    look_col = len(looks) > 1
    head = "| look " if look_col else ""
    rule = "| --- " if look_col else ""
    cell = lambda label: f"| {label} " if look_col else ""  # noqa: E731
    lines = [
        f"{head}| view | flagged | mean Dice, flagged | mean Dice, not flagged | poor masks (Dice < {POOR_DICE}) flagged |",
        f"{rule}| --- | --- | --- | --- | --- |",
    ]
    for label, results in looks:
        lines += [f"{cell(label)}| {' | '.join(row)} |" for row in confidence_flag_rows(results, flag_below)]
    lines += ["", f"{head}| model | MRVA %, not flagged (n) | MRVA %, flagged (n) |", f"{rule}| --- | --- | --- |"]
    for label, results in looks:
        for mode in ("single", "dual"):
            cells = " | ".join(f"{value:.2f} ({n})" for value, n in mrva_by_flag(results, mode, flag_below).values())
            name = f"DeepSPV {mode}" if look_col else f"DeepSPV {mode}, U-Net masks"
            lines.append(f"{cell(label)}| {name} | {cells} |")
    return lines


def confidence_flag_section(results: dict, manifest: dict) -> list[str]:
    flag = manifest["segmenter"].get("confidence")
    if not flag:
        return []
    return [
        "## Segmentation confidence (PIPELINE §3b)",
        "",
        f"The app warns \"uncertain outline\" when the U-Net's mean probability inside its mask is below "
        f"{flag['flag_below']:.4f} ({flag['flag_share_calib']:.0%} of the calib split's images).",
        "",
        *confidence_flag_tables([("test", results)], flag["flag_below"]),
        "",
    ]


def write_report(path: Path, results: dict, manifest: dict, onnx_mb: float, figures: list[str],
                 commands: list[str], splits: dict, coverage_source: str) -> None:
    d = results["deepspv"]
    lines = [
        "# Evaluation — DeepSPV models on the held-out synthetic test split",
        "",
        f"Generated by `spv_train.evaluate` (via `spv_train.finish`) on {dt.date.today().isoformat()} "
        f"for model version `{manifest['model_version']}`.",
        "",
        f"Splits (3D shapes, disjoint seed ranges): train {splits.get('train')}, calib {splits.get('calib')}, "
        f"test {splits.get('test')}. All data is synthetic (models/DATA_CARD.md); nothing here is a clinical "
        "validation.",
        "",
        "Commands:",
        "",
        "```",
        *commands,
        "```",
        "",
        "## Quality bars (issue 3)",
        "",
        "| bar | target | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for name, target, value, met in bar_rows(results, onnx_mb, coverage_source):
        lines.append(f"| {name} | {target} | {value} | {'yes' if met else '**no**'} |")
    lines += [
        "",
        "Paired Δ: DeepSPV's MRVA minus the formula's on the cases both estimate, in points, with a 95% "
        f"bootstrap interval over cases ({BOOTSTRAP_RESAMPLES} resamples). Where that interval includes 0, "
        "\"beats\" means a higher figure on this split, not a difference this split can establish.",
        "",
        "## DeepSPV",
        "",
        "| masks | model | MRVA % | MAE mL | 95% coverage | refused (outside grid) | n |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for source, label in (("gt", "ground truth"), ("unet", "U-Net (PIPELINE §3)")):
        for mode in ("single", "dual"):
            m = d[(source, mode)].metrics
            lines.append(f"| {label} | {mode} | {m['mrva_pct']:.2f} | {m['mae_ml']:.1f} | {m['coverage']:.1%} | "
                         f"{m['refused']} | {m['n']} |")
    lines += [
        "",
        f"Interval: K = {manifest['rvae']['single']['interval']['samples']} samples, seed "
        f"{manifest['rvae']['single']['interval']['seed']}, calibration factor c fitted on the calib split "
        f"({coverage_source.upper()} masks): single {manifest['rvae']['single']['interval']['calibration_factor']:.3f}, "
        f"dual {manifest['rvae']['dual']['interval']['calibration_factor']:.3f}.",
        "",
        "## Length formulas (lengths measured on the same masks, PIPELINE §7)",
        "",
        "| masks | formula | MRVA % | MAE mL | n |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (source, name), f in results["formulas"].items():
        m = f["metrics"]
        label = "ground truth" if source == "gt" else "U-Net"
        lines.append(f"| {label} | {name} | {m['mrva_pct']:.2f} | {m['mae_ml']:.1f} | {m['n']} |")
    lo = manifest["formulas"]["length_only"]
    lines += [
        "",
        f"Length-only regression (train split, n = {lo['n']}): V = {lo['intercept_ml']:.1f} + "
        f"{lo['slope_ml_per_cm']:.2f}·L mL. The ellipsoid, Prassopoulos and Yetter formulas take W and T "
        "from the transverse view (two views); the length-only regression needs the coronal view alone.",
        "",
        f"U-Net Dice (original-size masks after PIPELINE §3): coronal {results['dice']['coronal']:.4f}, "
        f"transverse {results['dice']['transverse']:.4f}, mean {results['dice']['mean']:.4f}.",
        "",
        *confidence_flag_section(results, manifest),
        "## Figures",
        "",
        *[f"![{name}](figures/{name})" for name in figures],
        "",
        "Rows: ground-truth masks, U-Net masks. Columns: DeepSPV single view, dual view, the best length formula.",
        "",
    ]
    path.write_text("\n".join(lines))
