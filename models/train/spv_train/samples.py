"""The bundled sample cases under models/samples/ (synthetic, clearly labelled as such).

    python3 -m spv_train.samples --out ../samples        (from models/train/)

Writes, for sample-01 … sample-08 (small ~60 mL to massive ~1500 mL; sample-03 is the app's
default, a normal adult of ~200 mL):

* ``<id>_coronal.png``, ``<id>_transverse.png``: 8-bit grey B-mode images, each with a JSON
  sidecar ``<name>.json`` = {"spacing_mm": [sx, sy], "view", "case_id", "true_volume_ml"}.
  Both views of a case share one depth setting, hence one spacing.
* ``<id>_coronal_mask.png``, ``<id>_transverse_mask.png``: ground-truth masks (0/255), with sidecars.
* ``index.csv`` (kind=image) and ``masks.csv`` (kind=mask): id,coronal,transverse,spacing_mm,kind,
  true_volume_ml with paths relative to the CSV.
* Ultrasound DICOM (``.dcm``, pydicom): sample-03 (both views) and sample-06 (coronal) with a
  Sequence of Ultrasound Regions carrying the calibration; ``sample-multiframe.dcm`` (3 frames,
  US Multi-frame); ``uncalibrated.dcm`` (no regions, no Pixel Spacing) and ``uncalibrated.png``
  (no sidecar) for the bad-input tests.

pydicom is imported here only (the GPU training box does not have it).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from PIL import Image

from . import SPLIT_SEED_BASE
from .shapes import make_spleen, sample_target_volume
from .ultrasound import EXTENDED_FAN_DEG_RANGE, FAN_DEG_RANGE, IMAGE_SHAPE, Probe, place_section, simulate
from .views import VIEWS, clean_mask, jittered_plane, render_section, section_points

# Target volumes (mL) of sample-01 … sample-08; sample-03 is the default normal adult.
TARGET_VOLUMES_ML = (60.0, 120.0, 200.0, 260.0, 380.0, 550.0, 850.0, 1500.0)
DEFAULT_SAMPLE = "sample-03"
DICOM_CASES = {"sample-03": ("coronal", "transverse"), "sample-06": ("coronal",)}
DEPTHS_MM = tuple(float(d) for d in range(120, 241, 15))
US_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.6.1"
US_MULTIFRAME_STORAGE = "1.2.840.10008.5.1.4.1.1.3.1"


def find_seed(target_ml: float, tolerance: float = 0.08, start: int = 0) -> int:
    """First shape seed in the 'samples' range whose spleen volume is within tolerance of target."""
    base = SPLIT_SEED_BASE["samples"]
    for i in range(start, start + 200_000):
        seed = base + i
        v = sample_target_volume(np.random.default_rng([seed, 0x5EED]))
        if abs(v - target_ml) / target_ml > 2 * tolerance:
            continue
        if abs(make_spleen(seed).volume_ml - target_ml) / target_ml <= tolerance:
            return seed
    raise RuntimeError(f"no sample spleen near {target_ml} mL")


def render_exam(seed: int, rng: np.random.Generator) -> dict:
    """Both views of one spleen with one shared depth setting (the smallest that fits both)."""
    spleen = make_spleen(seed)
    planes = {view: jittered_plane(spleen, view, rng) for view in VIEWS}
    points = {view: section_points(spleen, planes[view]) for view in VIEWS}
    # Start at a random shallow setting for variety; deeper settings follow when it does not fit.
    first = int(rng.integers(0, 4))
    for fans in (FAN_DEG_RANGE, EXTENDED_FAN_DEG_RANGE):
        for depth in DEPTHS_MM[first:]:
            placed = {}
            for view in VIEWS:
                try:
                    placed[view] = place_section(points[view], rng, attempts=12, fan_deg_range=fans, depth_mm=depth)
                except ValueError:
                    break
            if len(placed) == len(VIEWS):
                exam = {"spleen": spleen}
                for view, (probe, origin) in placed.items():
                    mask = clean_mask(render_section(spleen, planes[view], probe.spacing_mm, IMAGE_SHAPE, origin, points[view]))
                    exam[view] = {"mask": mask, "image": simulate(mask, view, probe, rng), "probe": probe}
                return exam
    raise RuntimeError(f"spleen {seed}: no common depth fits both views")


def _sidecar(path: Path, spacing: float, view: str, case_id: str, volume: float | None) -> None:
    meta = {"spacing_mm": [round(spacing, 6), round(spacing, 6)], "view": view, "case_id": case_id}
    if volume is not None:
        meta["true_volume_ml"] = round(volume, 2)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")


def _fan_bbox(probe: Probe) -> tuple[int, int, int, int]:
    """(min x, min y, max x, max y) pixel bounds of the fan, inclusive."""
    fan = probe.fan_mask()
    ys, xs = np.nonzero(fan)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def write_dicom(
    path: Path,
    frames: list[np.ndarray],
    probe: Probe | None,
    patient_no: int,
    description: str,
) -> None:
    """Uncompressed 8-bit MONOCHROME2 ultrasound DICOM; calibrated through a Sequence of
    Ultrasound Regions when ``probe`` is given, with no calibration at all otherwise."""
    from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    multi = len(frames) > 1
    sop_class = US_MULTIFRAME_STORAGE if multi else US_IMAGE_STORAGE
    tag = f"spv-synthetic-{path.name}"
    study_uid = generate_uid(entropy_srcs=[f"spv-synthetic-study-{patient_no}"])
    series_uid = generate_uid(entropy_srcs=[f"spv-synthetic-series-{patient_no}-{description}"])
    sop_uid = generate_uid(entropy_srcs=[tag])

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.Modality = "US"
    ds.PatientID = f"SYNTH-{patient_no:04d}"
    ds.PatientName = f"SYNTHETIC^SAMPLE{patient_no:02d}"
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyDate = "20250101"
    ds.StudyTime = "120000"
    ds.StudyID = f"SYNTH{patient_no:04d}"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.Manufacturer = "SPV Workstation synthetic data (not a patient)"
    ds.SeriesDescription = f"SYNTHETIC spleen {description}"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.BurnedInAnnotation = "NO"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = IMAGE_SHAPE
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    if multi:
        ds.NumberOfFrames = len(frames)
        ds.FrameTime = 33.3
        ds.FrameIncrementPointer = (0x0018, 0x1063)
    if probe is not None:
        x0, y0, x1, y1 = _fan_bbox(probe)
        region = Dataset()
        region.RegionSpatialFormat = 1
        region.RegionDataType = 1
        region.RegionFlags = 0
        region.RegionLocationMinX0 = x0
        region.RegionLocationMinY0 = y0
        region.RegionLocationMaxX1 = x1
        region.RegionLocationMaxY1 = y1
        region.PhysicalUnitsXDirection = 3
        region.PhysicalUnitsYDirection = 3
        region.PhysicalDeltaX = probe.spacing_mm / 10.0
        region.PhysicalDeltaY = probe.spacing_mm / 10.0
        region.ReferencePixelX0 = IMAGE_SHAPE[1] // 2
        region.ReferencePixelY0 = 0
        ds.SequenceOfUltrasoundRegions = Sequence([region])
    ds.PixelData = np.ascontiguousarray(np.stack(frames).astype(np.uint8)).tobytes()
    ds.save_as(str(path), write_like_original=False)


def write_samples(out_dir: Path, seed: int = 0) -> list[dict]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    exams = {}
    for n, target in enumerate(TARGET_VOLUMES_ML, start=1):
        case_id = f"sample-{n:02d}"
        shape_seed = find_seed(target, start=n * 1000)
        exam = render_exam(shape_seed, np.random.default_rng([seed, shape_seed]))
        exams[case_id] = exam
        volume = exam["spleen"].volume_ml
        spacing = exam["coronal"]["probe"].spacing_mm
        names = {}
        for view in VIEWS:
            image_path = out / f"{case_id}_{view}.png"
            mask_path = out / f"{case_id}_{view}_mask.png"
            Image.fromarray(exam[view]["image"]).save(image_path, optimize=True)
            Image.fromarray((exam[view]["mask"] * 255).astype(np.uint8)).save(mask_path, optimize=True)
            _sidecar(image_path, spacing, view, case_id, volume)
            _sidecar(mask_path, spacing, view, case_id, volume)
            names[view] = (image_path.name, mask_path.name)
        rows.append({"id": case_id, "names": names, "spacing": spacing, "volume": volume, "shape_seed": shape_seed})

    for filename, kind, which in (("index.csv", "image", 0), ("masks.csv", "mask", 1)):
        with open(out / filename, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "coronal", "transverse", "spacing_mm", "kind", "true_volume_ml"])
            for r in rows:
                w.writerow(
                    [r["id"], r["names"]["coronal"][which], r["names"]["transverse"][which], f"{r['spacing']:.6f}", kind, f"{r['volume']:.2f}"]
                )

    for case_id, views in DICOM_CASES.items():
        exam = exams[case_id]
        number = int(case_id.split("-")[1])
        for view in views:
            write_dicom(out / f"{case_id}_{view}.dcm", [exam[view]["image"]], exam[view]["probe"], number, view)

    _write_multiframe(out / "sample-multiframe.dcm", exams["sample-04"], seed)
    # A second acquisition of sample-02's coronal section (fresh speckle and settings), so that
    # it is a distinct file: the import treats byte-identical files as duplicates.
    second = exams["sample-02"]["coronal"]
    plain = simulate(second["mask"], "coronal", second["probe"], np.random.default_rng([seed, 9090]))
    write_dicom(out / "uncalibrated.dcm", [plain], None, 90, "uncalibrated")
    Image.fromarray(plain).save(out / "uncalibrated.png", optimize=True)
    return rows


def _write_multiframe(path: Path, exam: dict, seed: int) -> None:
    """A 3-frame cine of the coronal view: the probe drifts by a millimetre per frame (a
    breathing patient), same depth setting, so one calibration holds for all frames."""
    spleen = exam["spleen"]
    probe = exam["coronal"]["probe"]
    rng = np.random.default_rng([seed, 4242])
    plane = jittered_plane(spleen, "coronal", rng)
    pts = section_points(spleen, plane)
    probe, origin = place_section(pts, rng, depth_mm=probe.depth_mm)
    frames = []
    for k in range(3):
        drifted = type(plane)(plane.view, plane.origin + k * 1.0 * plane.normal, plane.u, plane.v)
        mask = clean_mask(render_section(spleen, drifted, probe.spacing_mm, IMAGE_SHAPE, origin, pts))
        frames.append(simulate(mask, "coronal", probe, np.random.default_rng([seed, 4243])))
    write_dicom(path, frames, probe, 4, "cine")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the bundled synthetic sample cases.")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "samples"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for r in write_samples(Path(args.out), args.seed):
        print(f"{r['id']}: {r['volume']:.1f} mL, {r['spacing']:.4f} mm/px (shape seed {r['shape_seed']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
