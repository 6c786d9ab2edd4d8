"""Views and the B-mode simulator: documented ranges, geometry, determinism."""

import numpy as np
import pytest
from scipy import ndimage

from spv_train import shapes, ultrasound, views
from spv_train.dataset import make_case, measure_mask


@pytest.fixture(scope="module")
def spleen():
    return shapes.make_spleen(11)


@pytest.fixture(scope="module")
def cases():
    # Small, typical and large spleens.
    seeds = {}
    for s in range(400):
        v = shapes.sample_target_volume(np.random.default_rng([s, 0x5EED]))
        key = "small" if v < 90 else "large" if v > 700 else "typical"
        seeds.setdefault(key, s)
        if len(seeds) == 3:
            break
    return {k: make_case(s) for k, s in seeds.items()}


def test_ideal_planes_are_orthonormal_and_anatomical(spleen):
    cor = views.ideal_plane(spleen, "coronal")
    tr = views.ideal_plane(spleen, "transverse")
    for p in (cor, tr):
        np.testing.assert_allclose([p.u @ p.u, p.v @ p.v, p.u @ p.v], [1, 1, 0], atol=1e-9)
    # Coronal: image x along the long axis (cranial to the left), depth towards the hilum.
    np.testing.assert_allclose(cor.u, spleen.long_axis, atol=1e-12)
    assert cor.v @ (spleen.hilum_point_mm - spleen.centroid_mm) > 0
    # Transverse: perpendicular to the long axis, through the hilum.
    np.testing.assert_allclose(abs(tr.normal @ spleen.long_axis), 1.0, atol=1e-9)
    np.testing.assert_allclose(tr.origin, spleen.hilum_point_mm)


def test_jitter_stays_within_operator_range(spleen):
    rng = np.random.default_rng(3)
    for view in views.VIEWS:
        ideal = views.ideal_plane(spleen, view)
        for _ in range(50):
            p = views.jittered_plane(spleen, view, rng)
            tilt = np.degrees(np.arccos(np.clip(abs(p.normal @ ideal.normal), 0, 1)))
            assert tilt <= views.MAX_TILT_DEG + 1e-6
            shift = abs((p.origin - ideal.origin) @ p.normal)
            assert shift <= views.MAX_OFFSET_MM + 1e-6


def test_coronal_section_is_longer_than_deep(spleen):
    plane = views.ideal_plane(spleen, "coronal")
    mask = views.render_section(spleen, plane, 0.5, (320, 384), (192.0, 160.0))
    m = measure_mask(mask, 0.5, 0.5)
    ys, xs = np.nonzero(mask)
    assert np.ptp(xs) > np.ptp(ys)  # the long axis runs horizontally
    # The coronal Feret length is close to the 3D length (the plane contains the long axis).
    assert 0.85 * spleen.L_mm <= m["feret_mm"] <= 1.02 * spleen.L_mm


def test_probe_geometry_and_fan():
    rng = np.random.default_rng(0)
    for _ in range(20):
        probe = ultrasound.sample_probe(rng)
        assert 100.0 <= probe.depth_mm <= 240.0
        assert 60.0 <= probe.fan_deg <= 75.0
        np.testing.assert_allclose(probe.spacing_mm, probe.depth_mm / 320)
        fan = probe.fan_mask()
        assert fan.shape == (320, 384)
        assert fan[:, 192].sum() > 250  # the centre line runs almost the full depth
        assert not fan[5, 0] and not fan[-1, 0]  # the corners lie outside the sector


def test_sector_probe_fans_out_from_a_near_point_and_flat_probe_is_a_rectangle():
    rng = np.random.default_rng(1)
    for _ in range(10):
        sector = ultrasound.sample_probe(rng, family="sector")
        assert sector.family == "sector" and 70.0 <= sector.fan_deg <= 90.0
        assert 1.0 <= sector.apex_radius_mm <= 8.0
        fan = sector.fan_mask()
        assert fan[2].sum() < 20 < fan[-1].sum()  # a few pixels wide at the top, wide at depth
        flat = ultrasound.sample_probe(rng, family="flat")
        assert flat.family == "flat"
        fov = flat.fan_mask()
        widths = fov.sum(axis=1)
        assert 0.75 * 384 - 2 <= widths[160] <= 384
        assert widths[3:-3].max() - widths[3:-3].min() <= 2  # parallel beams: the same width at every depth
        assert abs(flat.max_range_mm - flat.depth_mm) < 3.0  # the face is all but flat
    with pytest.raises(ValueError, match="unknown probe family"):
        ultrasound.sample_probe(rng, family="convex")


def test_probe_mix_images_views_with_other_probes_and_zero_mix_draws_nothing():
    from spv_train.dataset import probe_family

    rng = np.random.default_rng(2)
    state = rng.bit_generator.state
    assert probe_family(rng, 0.0) == "curvilinear" and rng.bit_generator.state == state
    drawn = [probe_family(rng, 0.5) for _ in range(2000)]
    assert 0.2 < drawn.count("sector") / 2000 < 0.3 and 0.2 < drawn.count("flat") / 2000 < 0.3
    case = make_case(500, 0, probe_mix=1.0)  # seed 500: a flat coronal and a sector transverse view
    assert [case[v]["probe"].family for v in views.VIEWS] == ["flat", "sector"]
    for view in views.VIEWS:
        fov, m = case[view]["probe"].fan_mask(), case[view]["mask"] > 0
        assert m.sum() > 100 and not (m & ~fov).any()
        assert case[view]["image"][~fov].max() == 0 and case[view]["image"][fov].std() > 10


def test_a_section_too_big_for_the_sector_switches_to_the_curvilinear_probe():
    rng = np.random.default_rng(3)
    # A 20 cm long, 3 cm deep section: a phased array's narrow near field cannot take it whole.
    a = np.linspace(0.0, 200.0, 50)
    points = np.stack([np.concatenate([a, a]), np.concatenate([np.zeros(50), np.full(50, 30.0)])], axis=1)
    probe, _ = ultrasound.place_section(points, rng, family="sector")
    assert probe.family == "curvilinear"


@pytest.mark.parametrize("kind", ["small", "typical", "large"])
def test_case_images_and_masks_have_documented_ranges(cases, kind):
    case = cases[kind]
    for view in views.VIEWS:
        v = case[view]
        assert v["image"].shape == (320, 384) and v["image"].dtype == np.uint8
        assert v["mask"].shape == (320, 384) and v["mask"].dtype == np.uint8
        assert set(np.unique(v["mask"])) <= {0, 1}
        assert v["mask"].sum() > 100
        # One region without holes, as a sonographer would outline it.
        _, n_regions = ndimage.label(v["mask"], structure=np.ones((3, 3)))
        assert n_regions == 1
        assert np.array_equal(ndimage.binary_fill_holes(v["mask"]), v["mask"] > 0)
        assert 100.0 / 320 - 1e-9 <= v["spacing_mm"] <= 240.0 / 320 + 1e-9
        # Mask away from the image border, and entirely inside the fan.
        m = v["mask"] > 0
        assert not (m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any())
        fan = v["probe"].fan_mask()
        assert not (m & ~fan).any()
        np.testing.assert_allclose(v["probe"].spacing_mm, v["spacing_mm"])
        # Zero outside the fan, and a real image (contrast) inside it.
        img = v["image"]
        assert img[~fan].max() == 0
        assert img[:10, :10].max() == 0 and img[-5:, :5].max() == 0
        assert img[fan].std() > 10


def test_case_is_deterministic(cases):
    a = cases["typical"]
    b = make_case(a["shape_seed"], a["view_seed"])
    for view in views.VIEWS:
        assert np.array_equal(a[view]["image"], b[view]["image"])
        assert np.array_equal(a[view]["mask"], b[view]["mask"])
        assert a[view]["spacing_mm"] == b[view]["spacing_mm"]
    assert a["volume_ml"] == b["volume_ml"]
    c = make_case(a["shape_seed"], a["view_seed"] + 1)
    assert c["volume_ml"] == a["volume_ml"]  # same spleen, another look at it
    assert not np.array_equal(c["coronal"]["image"], a["coronal"]["image"])


def test_spleen_is_brighter_than_kidney_cortex_on_average():
    """The tissue model (before speckle) keeps spleen above the kidney cortex."""
    rng = np.random.default_rng(5)
    sp = shapes.make_spleen(2)
    plane = views.ideal_plane(sp, "coronal")
    probe, origin = ultrasound.place_section(views.section_points(sp, plane), rng)
    mask = views.render_section(sp, plane, probe.spacing_mm, (320, 384), origin)
    for k in range(10):
        t = ultrasound.build_tissue(mask, "coronal", probe, np.random.default_rng(k))
        spleen_level = np.median(t.echo[mask > 0])
        kidney = t.specular[1] > 0
        if kidney.any():
            assert np.percentile(t.echo[kidney], 40) < spleen_level


def test_capsule_echo_fades_and_drops_out():
    """The capsule is not a continuous bright line: its weight stays in 0..1, varies along the
    outline and is zero over a share of it that changes from image to image (up to about half)."""
    gap_shares = []
    for k in range(40):
        weight = ultrasound._capsule_visibility(np.random.default_rng(k), (640, 320))
        assert weight.min() >= 0.0 and weight.max() <= 1.0
        gap_shares.append(float((weight == 0).mean()))
    gap_shares = np.array(gap_shares)
    assert gap_shares.max() > 0.3 and gap_shares.min() < 0.1
    assert gap_shares.max() <= 0.5 + 1e-6


def test_haze_is_absent_or_fades_with_depth():
    """Reverberation haze: none in about half the images; where present, weaker deep than near."""
    r = np.linspace(0.0, 200.0, 640)
    echo = np.ones((640, 320))
    present = 0
    for k in range(40):
        haze = ultrasound._clutter(np.random.default_rng(k), echo, r)
        if not haze.any():
            continue
        present += 1
        near, deep = np.abs(haze[:100]).mean(), np.abs(haze[-100:]).mean()
        assert deep < near
    assert 8 <= present <= 32


def test_second_look_keeps_the_spleen_in_view_and_differs_from_the_simulator():
    """altlook.render (the robustness probe): same mask → same image for the same seed, the whole
    spleen inside the field of view, and a spleen that stands out from its surroundings."""
    from spv_train import altlook

    case = make_case(20_000_001, 1000)
    for view in ("coronal", "transverse"):
        mask = case[view]["mask"]
        image = altlook.render(mask, np.random.default_rng(3))
        assert image.dtype == np.uint8 and image.shape == mask.shape
        assert np.array_equal(image, altlook.render(mask, np.random.default_rng(3)))
        assert (image[mask > 0] > 0).all()
        ring = ndimage.binary_dilation(mask > 0, iterations=12) & ~ndimage.binary_dilation(mask > 0, iterations=4)
        inside, around = np.median(image[mask > 0]), np.median(image[ring & (image > 0)])
        assert abs(float(inside) - float(around)) > 5
        assert not np.array_equal(image, case[view]["image"])
    with pytest.raises(ValueError):
        altlook.render(np.zeros((10, 10), np.uint8), np.random.default_rng(0))
