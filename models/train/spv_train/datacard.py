"""Data card for the synthetic spleen data: models/DATA_CARD.md and models/figures/data_*.png.

    python3 -m spv_train.datacard --data data/card.npz            (from models/train/)

Reads a split written by ``spv_train.dataset.build`` and describes it: population histograms
(volume, V/(L·W·T), pixel spacing, the 2-D lengths measured on the masks), example image/mask
panels and what the clinical length formulas achieve on it (which is why a learned model helps).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from . import SPLIT_SEED_BASE
from .shapes import VOLUME_MIXTURE, VOLUME_RANGE_ML
from .ultrasound import APEX_RADIUS_RANGE_MM, DEPTH_RANGE_MM, FAN_DEG_RANGE, IMAGE_SHAPE
from .views import IN_PLANE_ROTATION_DEG, MAX_OFFSET_MM, MAX_TILT_DEG, OFFSET_SD_MM, TILT_SD_DEG

MODELS_DIR = Path(__file__).resolve().parents[2]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _hist(ax, values, title, xlabel, bins=40, log=False):
    if log:
        bins = np.geomspace(max(values.min(), 1e-6), values.max(), bins)
        ax.set_xscale("log")
    ax.hist(values, bins=bins, color="#4477aa", edgecolor="white")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cases")


def write_figures(data: dict, fig_dir: Path) -> list[str]:
    plt = _plt()
    fig_dir.mkdir(parents=True, exist_ok=True)
    names = []

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    _hist(axes[0], data["volume_ml"], "True volume (voxel count)", "mL", log=True)
    _hist(axes[1], data["box_ratio"], "V / (L·W·T), 3-D principal extents", "ratio")
    _hist(axes[2], np.concatenate([data["spacing_cor"], data["spacing_tr"]]), "Pixel spacing (both views)", "mm / px")
    fig.tight_layout()
    fig.savefig(fig_dir / "data_population.png", dpi=90)
    plt.close(fig)
    names.append("data_population.png")

    fig, axes = plt.subplots(1, 4, figsize=(15, 3.4))
    for ax, key, title in zip(
        axes,
        ("length_cm", "width_cm", "thickness_cm", "craniocaudal_cm"),
        ("Length (coronal Feret)", "Width (transverse Feret)", "Thickness (transverse ⊥)", "Cranio-caudal (coronal x)"),
    ):
        _hist(ax, data[key], title, "cm")
    fig.tight_layout()
    fig.savefig(fig_dir / "data_lengths.png", dpi=90)
    plt.close(fig)
    names.append("data_lengths.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    lwt = data["length_cm"] * data["width_cm"] * data["thickness_cm"]
    axes[0].scatter(lwt, data["volume_ml"], s=6, alpha=0.6)
    xs = np.linspace(0, lwt.max(), 50)
    axes[0].plot(xs, 0.523 * xs, "r-", label="0.523·L·W·T (ellipsoid)")
    axes[0].set_xlabel("L·W·T measured on the masks (cm³)")
    axes[0].set_ylabel("true volume (mL)")
    axes[0].legend()
    axes[1].scatter(data["length_cm"], data["volume_ml"], s=6, alpha=0.6)
    axes[1].set_xlabel("length measured on the coronal mask (cm)")
    axes[1].set_ylabel("true volume (mL)")
    axes[1].set_yscale("log")
    fig.tight_layout()
    fig.savefig(fig_dir / "data_formulas.png", dpi=90)
    plt.close(fig)
    names.append("data_formulas.png")

    order = np.argsort(data["volume_ml"])
    picks = order[np.linspace(0, len(order) - 1, 4).round().astype(int)]
    fig, axes = plt.subplots(4, 4, figsize=(14, 12))
    for row, i in enumerate(picks):
        for col, (img_key, mask_key, sp_key, label) in enumerate(
            (("img_cor", "mask_cor", "spacing_cor", "coronal"), ("img_tr", "mask_tr", "spacing_tr", "transverse"))
        ):
            ax_img = axes[row, 2 * col]
            ax_ov = axes[row, 2 * col + 1]
            ax_img.imshow(data[img_key][i], cmap="gray", vmin=0, vmax=255)
            ax_ov.imshow(data[img_key][i], cmap="gray", vmin=0, vmax=255)
            ax_ov.contour(data[mask_key][i], levels=[0.5], colors="r", linewidths=0.8)
            ax_img.set_title(f"{label}, {data['volume_ml'][i]:.0f} mL, {data[sp_key][i]:.3f} mm/px", fontsize=9)
            ax_ov.set_title("ground-truth mask", fontsize=9)
            for ax in (ax_img, ax_ov):
                ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(fig_dir / "data_examples.png", dpi=70)
    plt.close(fig)
    names.append("data_examples.png")
    return names


def _pct(values: np.ndarray, ps=(0, 5, 25, 50, 75, 95, 100)) -> str:
    return " | ".join(f"{v:.3g}" for v in np.percentile(values, ps))


def _mrva(est: np.ndarray, true: np.ndarray) -> float:
    return float(100.0 * np.mean(1.0 - np.abs(est - true) / true))


def formula_summary(data: dict) -> list[tuple[str, float, float]]:
    """MRVA (%) and MAE (mL) of the length formulas on the masks' measured lengths."""
    v = data["volume_ml"].astype(np.float64)
    L, W, T, C = (data[k].astype(np.float64) for k in ("length_cm", "width_cm", "thickness_cm", "craniocaudal_cm"))
    rows = []
    for name, est in (
        ("prolate ellipsoid 0.523·L·W·T", 0.523 * L * W * T),
        ("Prassopoulos 30 + 0.58·L·W·T", 30 + 0.58 * L * W * T),
        ("Yetter 0.524·W·T·(L + CCL)/2", 0.524 * W * T * (L + C) / 2),
    ):
        rows.append((name, _mrva(est, v), float(np.mean(np.abs(est - v)))))
    return rows


def write_card(data: dict, source: str, figures: list[str], card_path: Path) -> None:
    n = len(data["volume_ml"])
    n_shapes = len(np.unique(data["shape_id"]))
    vol = data["volume_ml"]
    mixture = "; ".join(f"{w:.0%} around {m:.0f} mL (log-sd {s})" for w, m, s in VOLUME_MIXTURE)
    formulas = "\n".join(f"| {name} | {mrva:.1f} | {mae:.0f} |" for name, mrva, mae in formula_summary(data))
    splits = ", ".join(f"`{k}` from {v:,}" for k, v in SPLIT_SEED_BASE.items())
    text = f"""# Data card — synthetic spleen ultrasound (SPV Workstation)

Generated by `models/train/spv_train/datacard.py` from `{source}` ({n} cases, {n_shapes} distinct
3D spleens). Regenerate with, from `models/train/`:

```
python3 -m spv_train.dataset --out data --split calib --n 1000 --seed 1 --workers 2   # the calib split finish.py uses
python3 -m spv_train.datacard --data data/calib.npz
```

**Everything here is synthetic.** No patient data is used or shipped; the DICOM samples carry
fake identifiers (`SYNTH-0001`…). The models trained on these data must be validated on real
images before any clinical use.

## What a case is

One 3D spleen (`spv_train/shapes.py`), its coronal and transverse views (`views.py`), a
simulated B-mode image of each (`ultrasound.py`), the ground-truth masks, the true volume from
the voxel count, and the lengths a sonographer would measure on the masks
(`dataset.measure_mask`, docs/PIPELINE.md §7). Interface: `dataset.make_case(shape_seed,
view_seed)` and `dataset.build(...)` → `<split>.npz` + `<split>.csv`.

### 3D shapes
- Built in the organ's frame as a height field over the (length, width) footprint: crescent
  cross-section (mid-surface curling towards the hilum, thickness falling to the borders,
  optional wedge), long axis bent within the width plane and towards the hilum, super-elliptic
  pole profiles with asymmetry (one blunt and one tapering pole), a Gaussian hilum concavity on the
  visceral surface, low-frequency lobulation and 0–3 notches on the superior border.
- Voxelised at 1 mm (0.75 mm below 120 mL); volume = voxel count × voxel volume. An analytic
  ellipsoid voxelises within 1% of 4/3·π·abc (tested).
- Target volumes from a log-normal mixture: {mixture}; clipped to {VOLUME_RANGE_ML[0]:.0f}–{VOLUME_RANGE_ML[1]:.0f} mL.
  Large spleens are drawn rounder (splenomegaly blunts the crescent).
- L, W, T are the extents along the principal axes of the voxel set (PCA), so V/(L·W·T) is the
  shape factor the ellipsoid formula assumes to be 0.52.
- A second family for training, `warpshapes.py` (`build_budget --family warped`): warped,
  lobulated super-ellipsoids — an implicit solid whose exponents set pointed to boxy forms, curled
  into a crescent towards the hilum, bent, tapered to the poles (one sometimes a long "tongue"),
  with a Gaussian hilum dent and low-frequency lobes; enlarged ones rounder; its own volume mixture
  (V/(L·W·T) about 0.33–0.57).
- A third family for training, `carveshapes.py` (`build_budget --family carved`): a convex
  super-ellipsoid body carved by quadrics — a larger ellipsoid bites the stomach's hollow out of
  the visceral side, two tilted half-spaces cut the gastric and renal facets, a small ellipsoid the
  hilum, thin ones 0–3 notches in the superior border; enlarged ones wider, thicker, less hollowed;
  its own volume mixture (V/(L·W·T) about 0.31–0.60).
- Since `spv-2026.11-202611281100` the dual-view RVAE's head is re-fitted on masks of more than
  one family (`shapes.py` and `warpshapes.py`; since `spv-2026.12-202612012213` `carveshapes.py`
  too); the encoders and the single-view head learned `shapes.py`'s. The calib and test splits (and
  this card's figures) stay `shapes.py`'s; a fourth generator, `altshapes.py`, is never trained on
  and measures what a shape family the models have not seen costs (models/SHAPE_SHIFT.md).

### Views
- Coronal: plane through the long axis and the hilum; image x along the long axis (cranial pole
  left, in-plane tilt ±{IN_PLANE_ROTATION_DEG['coronal']:.0f}°), depth towards the hilum.
- Transverse: plane perpendicular to the long axis through the hilum (in-plane tilt
  ±{IN_PLANE_ROTATION_DEG['transverse']:.0f}°).
- Operator jitter: plane tilt |N(0, {TILT_SD_DEG}°)| capped at {MAX_TILT_DEG:.0f}° about a random in-plane axis,
  offset N(0, {OFFSET_SD_MM} mm) along the normal capped at {MAX_OFFSET_MM:.0f} mm.
- Masks are cut with the organ's exact inside test at pixel centres.

### Ultrasound simulation
- Image {IMAGE_SHAPE[0]} × {IMAGE_SHAPE[1]} (rows × columns), square pixels of depth/{IMAGE_SHAPE[0]} mm;
  depth setting {DEPTH_RANGE_MM[0] / 10:.0f}–{DEPTH_RANGE_MM[1] / 10:.0f} cm; curvilinear fan of {FAN_DEG_RANGE[0]:.0f}–{FAN_DEG_RANGE[1]:.0f}°
  (a wide-field 76–90° fallback only for massive spleens that fit nothing else) from a virtual
  apex {APEX_RADIUS_RANGE_MM[0]:.0f}–{APEX_RADIUS_RANGE_MM[1]:.0f} mm above the probe face; zero outside the fan.
- Tissue: abdominal wall (skin, fat with septa, striated muscle), textured background from
  clearly darker than the spleen to nearly iso-echoic, homogeneous to mildly coarse spleen
  (rarely a focal lesion), left kidney (cortex darker than spleen, pyramids,
  bright sinus and perirenal fat), hilar vessels, diaphragm band with reverberating lung, bowel
  loops with gas, ribs.
- Beam physics in polar coordinates: complex Gaussian scatterers (Rayleigh speckle), coherent
  capsule reflections whose strength varies (faint in a quarter of the images) and which fade and
  drop out over up to half of the outline, reverberation haze over the near and mid field in
  half the images, tissue attenuation along each beam (2–5 MHz, lower for deep settings),
  shadows behind ribs/gas, axial Gaussian pulse and a focused Gaussian beam whose lateral width
  grows away from the focus, electronic noise, imperfect TGC, log compression with random
  dynamic range (40–70 dB), gain, gamma and optional smoothing; scan conversion to the image.

### Splits
Shape seeds come from disjoint ranges per split ({splits}; 10 M each), so no 3D spleen is in
two splits. `views_per_shape > 1` gives several looks at the same spleen within one split.

## This split

Percentiles (0 | 5 | 25 | 50 | 75 | 95 | 100):

| quantity | values |
| --- | --- |
| volume (mL) | {_pct(vol)} |
| V / (L·W·T) | {_pct(data['box_ratio'])} |
| 3D length L (mm) | {_pct(data['L3d_mm'])} |
| coronal spacing (mm/px) | {_pct(data['spacing_cor'])} |
| transverse spacing (mm/px) | {_pct(data['spacing_tr'])} |
| length, coronal Feret (cm) | {_pct(data['length_cm'])} |
| width, transverse Feret (cm) | {_pct(data['width_cm'])} |
| thickness, transverse ⊥ (cm) | {_pct(data['thickness_cm'])} |
| cranio-caudal (cm) | {_pct(data['craniocaudal_cm'])} |

Share of cases: < 100 mL {np.mean(vol < 100):.0%}, 150–300 mL {np.mean((vol >= 150) & (vol <= 300)):.0%},
> 314 mL (adult upper limit) {np.mean(vol > 314):.0%}, > 1000 mL {np.mean(vol > 1000):.1%}.

Length formulas on the lengths measured on the ground-truth masks (MRVA = mean of
1 − |v̂ − v|/v):

| formula | MRVA (%) | MAE (mL) |
| --- | --- | --- |
{formulas}

![population](figures/{figures[0]})
![lengths](figures/{figures[1]})
![formulas](figures/{figures[2]})
![examples](figures/{figures[3]})

## Known limitations
- Shapes are a parametric family (height field over the footprint): no hilar clefts that
  undercut the surface, no accessory spleens, no real anatomical variation learnt from CT.
- The images are simulated, not learnt: no Doppler, no harmonic imaging artefacts, no text or
  calipers burnt into the image, no motion blur; neighbours are simplified 2D structures.
- Massive spleens (> ~20 cm) are always fully in the field of view here, whereas real
  examinations often cut them off.
- Lengths come from ground-truth masks with the PIPELINE §7 definitions, not from a human
  placing calipers.
"""
    card_path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write models/DATA_CARD.md and figures from a built split.")
    parser.add_argument("--data", required=True, help="a split .npz written by spv_train.dataset")
    parser.add_argument("--models-dir", default=str(MODELS_DIR))
    args = parser.parse_args(argv)
    with np.load(args.data) as npz:
        data = {k: npz[k] for k in npz.files}
    models = Path(args.models_dir)
    figures = write_figures(data, models / "figures")
    write_card(data, Path(args.data).name, figures, models / "DATA_CARD.md")
    print(models / "DATA_CARD.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
