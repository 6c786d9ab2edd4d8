"""The committed sample cases (models/samples/) match what the app and its tests rely on."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _rows(name):
    with open(SAMPLES / name) as f:
        return list(csv.DictReader(f))


def test_index_lists_calibrated_png_cases_small_to_massive():
    rows = _rows("index.csv")
    assert [r["id"] for r in rows] == [f"sample-{i:02d}" for i in range(1, len(rows) + 1)]
    assert len(rows) >= 8
    volumes = [float(r["true_volume_ml"]) for r in rows]
    assert min(volumes) <= 70 and max(volumes) >= 1300
    default = next(r for r in rows if r["id"] == "sample-03")
    assert 150 <= float(default["true_volume_ml"]) <= 250
    for r in rows:
        assert r["kind"] == "image"
        for view in ("coronal", "transverse"):
            png = SAMPLES / r[view]
            img = np.asarray(Image.open(png))
            assert img.dtype == np.uint8 and img.shape == (320, 384)
            meta = json.loads(png.with_suffix(".json").read_text())
            assert meta["view"] == view and meta["case_id"] == r["id"]
            assert meta["spacing_mm"][0] == pytest.approx(float(r["spacing_mm"]), abs=1e-6)
            assert meta["true_volume_ml"] == pytest.approx(float(r["true_volume_ml"]), abs=0.01)


def test_masks_csv_points_at_binary_masks():
    rows = _rows("masks.csv")
    assert len(rows) == len(_rows("index.csv"))
    for r in rows:
        assert r["kind"] == "mask"
        for view in ("coronal", "transverse"):
            mask = np.asarray(Image.open(SAMPLES / r[view]))
            assert set(np.unique(mask)) == {0, 255}
            assert ndimage.label(mask > 0, structure=np.ones((3, 3)))[1] == 1
            assert r[view].endswith(f"_{view}_mask.png")


def test_uncalibrated_png_has_no_sidecar():
    assert (SAMPLES / "uncalibrated.png").exists()
    assert not (SAMPLES / "uncalibrated.json").exists()


def test_samples_stay_small():
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_dicom_samples_carry_ultrasound_calibration():
    pydicom = pytest.importorskip("pydicom")
    index = {r["id"]: r for r in _rows("index.csv")}
    for name, case in (("sample-03_coronal.dcm", "sample-03"), ("sample-03_transverse.dcm", "sample-03"), ("sample-06_coronal.dcm", "sample-06")):
        ds = pydicom.dcmread(SAMPLES / name)
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.6.1" and ds.Modality == "US"
        assert ds.PhotometricInterpretation == "MONOCHROME2" and ds.BitsAllocated == 8
        assert ds.PatientID.startswith("SYNTH-")
        region = ds.SequenceOfUltrasoundRegions[0]
        assert region.RegionSpatialFormat == 1 and region.RegionDataType == 1
        assert region.PhysicalUnitsXDirection == 3 and region.PhysicalUnitsYDirection == 3
        assert region.PhysicalDeltaX * 10 == pytest.approx(float(index[case]["spacing_mm"]), abs=1e-6)
        assert region.RegionLocationMaxX1 > region.RegionLocationMinX0
        png = np.asarray(Image.open(SAMPLES / name.replace(".dcm", ".png")))
        assert np.array_equal(ds.pixel_array, png)
    multi = pydicom.dcmread(SAMPLES / "sample-multiframe.dcm")
    assert int(multi.NumberOfFrames) == 3 and multi.pixel_array.shape == (3, 320, 384)
    assert "SequenceOfUltrasoundRegions" in multi
    bare = pydicom.dcmread(SAMPLES / "uncalibrated.dcm")
    assert "SequenceOfUltrasoundRegions" not in bare and "PixelSpacing" not in bare
