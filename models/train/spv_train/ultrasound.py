"""A physically motivated B-mode simulator for a curvilinear (convex) abdominal probe — and, on
request, a phased-array sector or a flat linear array.

What it models, in the order the signal meets it:

1. **Geometry**: a fan (sector) from a virtual apex above the image, opening angle 60–75° (a
   wide-field 76–90° preset only as the last resort for a massive spleen), depth setting 10–24 cm. The image is a fixed 320 × 384 grid of square pixels of
   ``depth_mm / 320`` mm, so the depth setting changes mm/px. Pixels outside the fan are 0.
   The other probe families use the same beam model with other face radii: a phased array
   (``sector``: beams from a near-point face of 1–8 mm radius, 70–90°, as through an intercostal
   window) and a linear array (``flat``: a face so wide and flat that the beams run parallel; the
   field of view is a rectangle 75–100% of the image wide, as with a linear probe in a child).
2. **Tissue**: an echogenicity (backscatter amplitude) map built around the spleen mask —
   abdominal wall (skin, subcutaneous fat, muscle), a textured liver/bowel-like background, the
   homogeneous spleen, the left kidney deep and caudal/medial to it (cortex darker than spleen,
   dark pyramids, bright sinus fat, bright perirenal fat), the diaphragm as a bright curved band
   over the cranial/superficial border with reverberating lung beyond, hilar vessels (anechoic),
   ribs and bowel gas (strong reflectors that shadow everything behind them).
3. **Beam physics** in beam (polar) coordinates: complex Gaussian scatterers weighted by the
   echogenicity (fully developed speckle → Rayleigh envelope), a coherent specular term at the
   organ capsules where the boundary faces the beam (of varying strength, fading and dropping
   out in stretches), reverberation haze over the near and mid field in half the images,
   tissue-dependent attenuation integrated along each beam line, transmission loss behind
   reflectors (acoustic shadows), convolution with a point-spread function whose lateral width
   follows a focused Gaussian beam (narrow at the focus, wider with depth) and electronic noise.
4. **Display**: imperfect time-gain compensation, log compression over a random dynamic range,
   random gain/contrast/gamma, scan conversion to the Cartesian image, optional smoothing.

Every parameter is drawn from a wide range: variety matters more than beauty, because the models
trained on these images are checked on images made by different code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

IMAGE_SHAPE = (320, 384)  # rows (depth) × columns
DEPTH_RANGE_MM = (100.0, 240.0)
FAN_DEG_RANGE = (60.0, 75.0)
APEX_RADIUS_RANGE_MM = (30.0, 70.0)
# Massive spleens (> ~22 cm) may not fit a standard fan; like a sonographer switching to a
# wide-field preset, the last resort is a wider sector.
EXTENDED_FAN_DEG_RANGE = (76.0, 90.0)
FIT_MARGIN_MM = 4.0
PROBE_FAMILIES = ("curvilinear", "sector", "flat")
SECTOR_FAN_DEG_RANGE = (70.0, 90.0)
SECTOR_APEX_RADIUS_RANGE_MM = (1.0, 8.0)
# A flat face is an arc of a very large radius: the beam model stays the same, the beams parallel.
FLAT_APEX_RADIUS_MM = 100_000.0
FLAT_WIDTH_SHARE_RANGE = (0.75, 1.0)


@dataclass(frozen=True)
class Probe:
    """Fan geometry. The virtual apex sits above the image centre; the probe face (an arc of
    radius ``apex_radius_mm``) touches the top row at the fan's edges. ``family`` names the kind of
    probe the three numbers describe (PROBE_FAMILIES); the geometry follows from the numbers alone."""

    depth_mm: float
    fan_deg: float
    apex_radius_mm: float
    family: str = "curvilinear"

    @property
    def spacing_mm(self) -> float:
        return self.depth_mm / IMAGE_SHAPE[0]

    @property
    def apex_mm(self) -> tuple[float, float]:
        half = np.deg2rad(self.fan_deg / 2.0)
        return IMAGE_SHAPE[1] * self.spacing_mm / 2.0, -self.apex_radius_mm * np.cos(half)

    @property
    def max_range_mm(self) -> float:
        """Beam depth (from the probe face) reached at the bottom row under the apex."""
        return self.depth_mm - self.apex_mm[1] - self.apex_radius_mm

    def polar(self, x_mm: np.ndarray, y_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(range from the probe face in mm, angle from the centre line in radians)."""
        ax, ay = self.apex_mm
        dx, dy = x_mm - ax, y_mm - ay
        return np.hypot(dx, dy) - self.apex_radius_mm, np.arctan2(dx, dy)

    def inside_fan(self, x_mm: np.ndarray, y_mm: np.ndarray, margin_mm: float = 0.0) -> np.ndarray:
        r, th = self.polar(x_mm, y_mm)
        half = np.deg2rad(self.fan_deg / 2.0)
        lateral_room = (r + self.apex_radius_mm) * np.sin(half - np.abs(th))
        return (
            (r >= margin_mm)
            & (r <= self.max_range_mm - margin_mm)
            & (np.abs(th) <= half)
            & (lateral_room >= margin_mm)
            & (y_mm <= self.depth_mm - margin_mm)
        )

    def fan_mask(self) -> np.ndarray:
        rows, cols = IMAGE_SHAPE
        s = self.spacing_mm
        x = (np.arange(cols) + 0.5) * s
        y = (np.arange(rows) + 0.5) * s
        return self.inside_fan(x[None, :], y[:, None])


def sample_probe(
    rng: np.random.Generator,
    min_depth_mm: float = DEPTH_RANGE_MM[0],
    wide: float = 0.0,
    fan_deg_range: tuple[float, float] = FAN_DEG_RANGE,
    depth_mm: float | None = None,
    family: str = "curvilinear",
) -> Probe:
    """A random probe setting; ``wide`` in [0, 1] biases towards the widest field of view
    (used when a large spleen does not fit); ``depth_mm`` fixes the depth setting. ``family``
    picks the probe (PROBE_FAMILIES); ``fan_deg_range`` applies to the curvilinear one."""
    if family not in PROBE_FAMILIES:
        raise ValueError(f"unknown probe family {family!r}; expected one of {PROBE_FAMILIES}")
    lo = max(DEPTH_RANGE_MM[0], min(min_depth_mm, DEPTH_RANGE_MM[1]))
    depth = rng.uniform(lo + wide * (DEPTH_RANGE_MM[1] - lo), DEPTH_RANGE_MM[1])
    if depth_mm is not None:
        depth = depth_mm
    if family == "sector":
        lo_fan, hi_fan = SECTOR_FAN_DEG_RANGE
        fan = rng.uniform(lo_fan + wide * (hi_fan - lo_fan), hi_fan)
        apex = rng.uniform(*SECTOR_APEX_RADIUS_RANGE_MM)
        return Probe(float(depth), float(fan), float(apex), family)
    if family == "flat":
        lo_w, hi_w = FLAT_WIDTH_SHARE_RANGE
        width_mm = rng.uniform(lo_w + wide * (hi_w - lo_w), hi_w) * IMAGE_SHAPE[1] * depth / IMAGE_SHAPE[0]
        fan = 2.0 * np.degrees(np.arcsin(width_mm / 2.0 / FLAT_APEX_RADIUS_MM))
        return Probe(float(depth), float(fan), FLAT_APEX_RADIUS_MM, family)
    fan = rng.uniform(fan_deg_range[0] + wide * (fan_deg_range[1] - fan_deg_range[0]), fan_deg_range[1])
    apex = rng.uniform(
        APEX_RADIUS_RANGE_MM[0] + wide * (APEX_RADIUS_RANGE_MM[1] - APEX_RADIUS_RANGE_MM[0]),
        APEX_RADIUS_RANGE_MM[1],
    )
    return Probe(float(depth), float(fan), float(apex))


def place_section(
    points_ab: np.ndarray,
    rng: np.random.Generator,
    attempts: int = 40,
    fan_deg_range: tuple[float, float] = FAN_DEG_RANGE,
    depth_mm: float | None = None,
    family: str = "curvilinear",
) -> tuple[Probe, tuple[float, float]]:
    """Choose a probe setting and where the section's plane origin lands in the image (pixels)
    so that the whole section lies inside the fan with a margin. Raises if it cannot fit.

    Skin-to-capsule distance (abdominal wall, ribs, diaphragm) is 8–40 mm; the spleen's centre
    sits near the fan's centre line; later attempts move to deeper, wider settings.
    ``depth_mm`` fixes the depth setting (two views of one exam sharing their calibration).
    A section that a sector or flat probe cannot take whole is imaged with the curvilinear probe
    after half the attempts, as a sonographer would switch probes."""
    a_min, b_min = points_ab.min(axis=0)
    a_max, b_max = points_ab.max(axis=0)
    for attempt in range(attempts):
        wide = min(1.0, attempt / (0.6 * attempts))
        top_gap = rng.uniform(8.0, 40.0) * (1.0 - 0.6 * wide) + 5.0 * wide
        need = (b_max - b_min) + top_gap + 15.0
        kind = family if family == "curvilinear" or attempt < attempts // 2 else "curvilinear"
        probe = sample_probe(rng, min_depth_mm=need, wide=wide, fan_deg_range=fan_deg_range, depth_mm=depth_mm,
                             family=kind)
        s = probe.spacing_mm
        centre_x_mm = IMAGE_SHAPE[1] * s / 2.0 + rng.uniform(-0.12, 0.12) * IMAGE_SHAPE[1] * s * (1 - wide)
        spare = probe.depth_mm - need
        top_mm = top_gap + rng.uniform(0.0, 0.4) * max(spare, 0.0) * (1 - wide) + wide * 0.5 * max(spare, 0.0)
        origin_x_mm = centre_x_mm - 0.5 * (a_min + a_max)
        origin_y_mm = top_mm - b_min
        xs = origin_x_mm + points_ab[:, 0]
        ys = origin_y_mm + points_ab[:, 1]
        if probe.inside_fan(xs, ys, margin_mm=FIT_MARGIN_MM).all():
            return probe, (origin_x_mm / s, origin_y_mm / s)
    raise ValueError(
        f"section of {a_max - a_min:.0f} x {b_max - b_min:.0f} mm does not fit the widest fan"
    )


# --------------------------------------------------------------------------------------------
# Tissue model (Cartesian, image grid)
# --------------------------------------------------------------------------------------------


@dataclass
class TissueMaps:
    echo: np.ndarray  # backscatter amplitude (relative), H × W
    attenuation: np.ndarray  # dB / cm / MHz, H × W
    reflector: np.ndarray  # strength of strong reflectors (ribs, gas): shadows behind them
    specular: np.ndarray  # organ capsules (soft 0..1 masks whose edges reflect coherently)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma_px: float) -> np.ndarray:
    """Zero-mean, unit-sd low-frequency noise."""
    n = ndimage.gaussian_filter(rng.standard_normal(shape), sigma_px, mode="reflect")
    return (n - n.mean()) / (n.std() + 1e-12)


def _ellipse(shape, cx, cy, ax, ay, angle, reach: float = 1.6) -> np.ndarray:
    """Normalised elliptic radius rho (< 1 inside) on the pixel grid; only computed within
    ``reach`` semi-axes of the centre (inf beyond), since callers look at rho < reach."""
    rows, cols = shape
    rho = np.full(shape, np.inf)
    r = reach * max(ax, ay)
    y0, y1 = max(int(cy - r), 0), min(int(np.ceil(cy + r)) + 1, rows)
    x0, x1 = max(int(cx - r), 0), min(int(np.ceil(cx + r)) + 1, cols)
    if y0 >= y1 or x0 >= x1:
        return rho
    y, x = np.mgrid[y0:y1, x0:x1].astype(np.float64) + 0.5
    c, s = np.cos(angle), np.sin(angle)
    xr = (x - cx) * c + (y - cy) * s
    yr = -(x - cx) * s + (y - cy) * c
    rho[y0:y1, x0:x1] = np.hypot(xr / ax, yr / ay)
    return rho


def _ray_exit(mask: np.ndarray, cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Last point inside the mask walking from (cx, cy) along (dx, dy), in pixels."""
    rows, cols = mask.shape
    steps = np.arange(0, rows + cols)
    xs = cx + steps * dx
    ys = cy + steps * dy
    ok = (xs >= 0) & (xs < cols) & (ys >= 0) & (ys < rows)
    xs, ys = xs[ok], ys[ok]
    inside = mask[ys.astype(int), xs.astype(int)] > 0
    last = np.flatnonzero(inside)
    k = last[-1] if last.size else 0
    return float(xs[k]), float(ys[k])


def build_tissue(mask: np.ndarray, view: str, probe: Probe, rng: np.random.Generator) -> TissueMaps:
    """Echogenicity, attenuation and reflector maps around the spleen mask. Structures are
    painted back to front: background, bowel, kidney, vessels, diaphragm/lung, abdominal wall,
    ribs, and the spleen last so nothing ever covers it."""
    shape = mask.shape
    rows, cols = shape
    s = probe.spacing_mm
    spleen = mask > 0
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64) + 0.5
    cy, cx = ndimage.center_of_mass(spleen)
    cy, cx = cy + 0.5, cx + 0.5
    dist_out = ndimage.distance_transform_edt(~spleen) * s  # mm from the spleen, outside
    spleen_top_mm = float(np.flatnonzero(spleen.any(axis=1))[0]) * s

    spleen_level = rng.uniform(0.9, 1.35)
    # Background: liver/bowel-like parenchyma with slow variation.
    # Up to near iso-echoic with the spleen (an adjacent left liver lobe, fat, bowel wall), where
    # only the capsule, where it shows, separates them.
    bg_level = rng.uniform(0.55, 1.25)
    echo = bg_level * np.exp(rng.uniform(0.15, 0.35) * _smooth_noise(rng, shape, rng.uniform(3, 10) / s))
    att = np.full(shape, rng.uniform(0.45, 0.7))
    reflector = np.zeros(shape)

    _paint_bowel(echo, reflector, rng, spleen, dist_out, cy, s)
    kidney = _paint_kidney(echo, att, rng, spleen, view, cx, cy, s, spleen_level)
    _paint_hilar_vessels(echo, att, rng, spleen, cx, cy, s)
    wall_mm = min(rng.uniform(6.0, 35.0), spleen_top_mm - 2.0)
    _paint_diaphragm_and_lung(echo, att, rng, view, probe, dist_out, xx, yy, cx, cy, wall_mm)
    _paint_wall(echo, rng, shape, s, wall_mm)
    _paint_ribs(echo, reflector, rng, shape, s, wall_mm)

    # Spleen: homogeneous to mildly coarse, slightly brighter than kidney cortex; rarely a small
    # focal lesion.
    texture = np.exp(rng.uniform(0.02, 0.2) * _smooth_noise(rng, shape, rng.uniform(2, 6)))
    spleen_echo = spleen_level * texture
    if rng.uniform() < 0.08:
        lx, ly = _ray_exit(spleen, cx, cy, rng.uniform(-1, 1), rng.uniform(-1, 1))
        lx, ly = 0.5 * (lx + cx), 0.5 * (ly + cy)
        lesion = _ellipse(shape, lx, ly, rng.uniform(3, 9) / s, rng.uniform(3, 9) / s, 0) < 1
        spleen_echo = np.where(lesion, spleen_level * rng.choice([0.3, 1.8]), spleen_echo)
    if rng.uniform() < 0.3:  # perisplenic fat: a thin bright rim outside the capsule
        rim = (dist_out > 0) & (dist_out < rng.uniform(1.0, 3.0))
        echo[rim] *= rng.uniform(1.2, 1.8)
    echo[spleen] = spleen_echo[spleen]
    att[spleen] = rng.uniform(0.45, 0.6)
    reflector[spleen | kidney] = 0.0

    capsules = np.stack([spleen.astype(np.float64), 0.4 * kidney.astype(np.float64)])
    return TissueMaps(echo=echo, attenuation=att, reflector=reflector, specular=capsules)


def _paint_bowel(echo, reflector, rng, spleen, dist_out, cy, s) -> None:
    """Bowel loops deep to the spleen's centre (never between probe and spleen): a wall, content,
    sometimes gas that shadows what lies behind it."""
    rows, cols = spleen.shape
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64) + 0.5
    for _ in range(rng.integers(0, 4)):
        bx, by = rng.uniform(0, cols), rng.uniform(cy, rows)
        ax, ay = rng.uniform(8, 25) / s, rng.uniform(6, 18) / s
        if dist_out[min(int(by), rows - 1), min(int(bx), cols - 1)] < max(ax, ay) * s + 3.0:
            continue
        rho = _ellipse(spleen.shape, bx, by, ax, ay, rng.uniform(0, np.pi))
        wall = (rho > 0.85) & (rho < 1.0)
        echo[rho < 0.85] *= rng.uniform(0.3, 1.4)
        echo[wall] *= rng.uniform(1.3, 2.2)
        if rng.uniform() < 0.35:
            gas = (rho > 0.55) & (rho < 0.8) & (yy < by)
            echo[gas] = 3.5
            reflector[gas] = np.maximum(reflector[gas], rng.uniform(0.2, 0.6))


def _paint_kidney(echo, att, rng, spleen, view, cx, cy, s, spleen_level) -> np.ndarray:
    """Left kidney: coronal → deep to the caudal (right) half; transverse → deep, to one side.
    Cortex darker than the spleen, dark medullary pyramids, bright sinus and perirenal fat."""
    shape = spleen.shape
    rows, cols = shape
    if rng.uniform() >= 0.85:
        return np.zeros(shape, dtype=bool)
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64) + 0.5
    if view == "coronal":
        k_dir = np.array([rng.uniform(0.3, 0.9), 1.0])
        k_a, k_b = rng.uniform(40, 58), rng.uniform(20, 30)
    else:
        k_dir = np.array([rng.uniform(-0.6, 0.6), 1.0])
        k_a, k_b = rng.uniform(25, 38), rng.uniform(20, 30)
    k_dir = k_dir / np.linalg.norm(k_dir)
    ex, ey = _ray_exit(spleen, cx, cy, k_dir[0], k_dir[1])
    gap = rng.uniform(1.0, 12.0) / s
    kcx = ex + k_dir[0] * (k_b / s + gap)
    kcy = ey + k_dir[1] * (k_b / s + gap)
    k_ang = np.arctan2(k_dir[1], k_dir[0]) + np.pi / 2 + rng.uniform(-0.4, 0.4)
    rho = _ellipse(shape, kcx, kcy, k_a / s, k_b / s, k_ang)
    theta = np.arctan2(yy - kcy, xx - kcx)
    wobble = 1.0 + 0.08 * np.sin(3 * theta + rng.uniform(0, 6.3)) + 0.05 * np.sin(5 * theta)
    fat_width = rng.uniform(0.04, 0.18)
    peri = (rho >= 1.0) & (rho < 1.0 + fat_width)
    echo[peri] = np.maximum(echo[peri], rng.uniform(1.2, 2.0) * (1.0 - (rho[peri] - 1.0) / fat_width))
    kidney = rho < 1.0
    cortex = rng.uniform(0.5, 0.85) * spleen_level
    echo[kidney] = cortex
    c, sn = np.cos(k_ang), np.sin(k_ang)
    for ang_p in rng.uniform(0, 2 * np.pi, rng.integers(3, 8)):
        lx, ly = 0.62 * k_a / s * np.cos(ang_p), 0.62 * k_b / s * np.sin(ang_p)
        px, py = kcx + lx * c - ly * sn, kcy + lx * sn + ly * c
        pyramid = _ellipse(shape, px, py, rng.uniform(3, 6) / s, rng.uniform(2.5, 5) / s, ang_p) < 1.0
        echo[kidney & pyramid] = cortex * rng.uniform(0.2, 0.5)
    sinus = rho < rng.uniform(0.35, 0.6) * wobble
    sinus_echo = rng.uniform(1.4, 2.4) * (1 + 0.3 * _smooth_noise(rng, shape, 2.0))
    echo[sinus] = sinus_echo[sinus]
    return kidney & ~spleen


def _paint_hilar_vessels(echo, att, rng, spleen, cx, cy, s) -> None:
    """Anechoic splenic vessels just outside the deep (hilar) border near the middle."""
    if rng.uniform() >= 0.7:
        return
    hx, hy = _ray_exit(spleen, cx, cy, rng.uniform(-0.3, 0.3), 1.0)
    for _ in range(rng.integers(1, 4)):
        vr = rng.uniform(2.0, 5.0) / s
        vx = hx + rng.normal(0, 6.0 / s)
        vy = hy + vr + rng.uniform(0.5, 4.0) / s
        rho = _ellipse(spleen.shape, vx, vy, vr * rng.uniform(1.0, 2.5), vr, rng.uniform(0, np.pi))
        vessel = (rho < 1.0) & ~spleen
        echo[vessel] = rng.uniform(0.02, 0.1)
        att[vessel] = 0.05


def _paint_diaphragm_and_lung(echo, att, rng, view, probe, dist_out, xx, yy, cx, cy, wall_mm) -> None:
    """A bright curved band over the cranial-superficial border (coronal: left/up; transverse:
    up on either side) and aerated lung beyond it: reverberation bands parallel to the probe
    face over a diffuse mirror-like texture."""
    if rng.uniform() >= 0.9:
        return
    s = probe.spacing_mm
    if view == "coronal":
        d_dir = np.array([-0.85, rng.uniform(-0.7, -0.3)])
    else:
        d_dir = np.array([rng.choice([-1.0, 1.0]) * 0.7, -0.7])
    ang = np.arctan2(yy - cy, xx - cx) - np.arctan2(d_dir[1], d_dir[0])
    ang = np.angle(np.exp(1j * ang))
    span = np.deg2rad(rng.uniform(45, 85))
    weight = np.clip((span - np.abs(ang)) / 0.25, 0, 1)
    below_wall = yy * s > wall_mm
    gap = rng.uniform(0.5, 4.0)
    thick = rng.uniform(1.5, 4.0)
    band = (dist_out > gap) & (dist_out < gap + thick) & (weight > 0) & below_wall
    echo[band] += rng.uniform(2.0, 4.0) * weight[band]
    lung = (dist_out >= gap + thick) & (dist_out < rng.uniform(25.0, 80.0)) & (weight > 0) & below_wall
    beam_range, _ = probe.polar(xx * s, yy * s)
    period = rng.uniform(6.0, 15.0)
    reverb = 0.7 + 0.6 * np.cos(np.pi * beam_range / period) ** 8
    mirror = np.exp(0.3 * _smooth_noise(rng, echo.shape, 4.0))
    level = rng.uniform(0.6, 1.6)
    lung_echo = level * reverb * mirror * (0.5 + 0.5 * weight)
    echo[lung] = lung_echo[lung]
    att[lung] = rng.uniform(0.6, 1.2)


def _paint_wall(echo, rng, shape, s, wall_mm) -> None:
    """Abdominal/chest wall over the top wall_mm: skin line, subcutaneous fat (dark with thin
    septa), muscle (striated). Layer boundaries undulate a little."""
    rows, cols = shape
    ym = (np.arange(rows)[:, None] + 0.5) * s + 1.0 * _smooth_noise(rng, shape, 15.0)
    skin = rng.uniform(1.0, 2.5)
    fat = skin + rng.uniform(0.2, 0.6) * max(wall_mm - skin, 0.0)
    septa = 1.0 + 1.2 * (np.sin(ym * rng.uniform(0.8, 1.6) + 2.0 * _smooth_noise(rng, shape, 10.0)) > 0.97)
    striation = 1.0 + 0.35 * np.sin(ym * rng.uniform(1.5, 3.0))
    fat_level, muscle_level, skin_level = rng.uniform(0.3, 0.7), rng.uniform(0.5, 0.9), rng.uniform(1.5, 2.5)
    layer_echo = np.where(ym < skin, skin_level, np.where(ym < fat, fat_level * septa, muscle_level * striation))
    in_wall = ym < wall_mm
    echo[in_wall] = layer_echo[in_wall]


def _paint_ribs(echo, reflector, rng, shape, s, wall_mm) -> None:
    """Ribs in the wall: bright, strongly reflecting, casting radial shadows."""
    rows, cols = shape
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        rx = rng.uniform(0.15, 0.85) * cols
        ry = max(wall_mm - rng.uniform(2.0, 6.0), 4.0) / s
        rib = _ellipse(shape, rx, ry, rng.uniform(3.5, 7) / s, rng.uniform(2.5, 4.5) / s, rng.uniform(-0.3, 0.3)) < 1
        echo[rib] = np.maximum(echo[rib], 3.0)
        reflector[rib] = np.maximum(reflector[rib], rng.uniform(0.3, 1.0))


# --------------------------------------------------------------------------------------------
# Beam physics in polar coordinates, then display
# --------------------------------------------------------------------------------------------

N_RANGE = 640
N_LINES = 320
MAX_LATERAL_SIGMA_LINES = 100.0


def _to_polar(img: np.ndarray, probe: Probe, r: np.ndarray, th: np.ndarray, order: int = 1) -> np.ndarray:
    """Sample an image-grid map at polar sample positions (r along rows, th along columns)."""
    ax, ay = probe.apex_mm
    rr = r[:, None] + probe.apex_radius_mm
    x = ax + rr * np.sin(th[None, :])
    y = ay + rr * np.cos(th[None, :])
    s = probe.spacing_mm
    coords = np.stack([y / s - 0.5, x / s - 0.5])
    return ndimage.map_coordinates(img, coords, order=order, mode="nearest")


def _variable_lateral_blur(field: np.ndarray, sigma_lines: np.ndarray) -> np.ndarray:
    """Blur each depth row along the lines with its own sigma (interpolating between a few
    fixed-sigma passes; cheap and smooth enough for a PSF that varies slowly with depth)."""
    levels = np.geomspace(max(sigma_lines.min(), 0.3), max(sigma_lines.max(), 0.31), 5)
    passes = [ndimage.gaussian_filter1d(field, sg, axis=1, mode="nearest") for sg in levels]
    pos = np.interp(np.log(np.clip(sigma_lines, levels[0], levels[-1])), np.log(levels), np.arange(len(levels)))
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(levels) - 1)
    w = (pos - lo)[:, None]
    stack = np.stack(passes)
    rows = np.arange(field.shape[0])
    return stack[lo, rows] * (1 - w) + stack[hi, rows] * w


def _capsule_visibility(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """0..1 weight on the capsule's specular echo in beam coordinates: slow variation along the
    boundary, with gaps (dropout) over a random share of it (up to about half)."""
    field = _smooth_noise(rng, shape, rng.uniform(8.0, 25.0))
    gap_share = rng.uniform(0.0, 0.5)
    threshold = np.quantile(field, gap_share)
    return np.clip((field - threshold) / rng.uniform(0.3, 1.0), 0.0, 1.0)


def _clutter(rng: np.random.Generator, echo: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Reverberation/haze clutter (in half the images): incoherent echoes over the near and mid
    field that wash out the contrast between organs, as through a thick or scarred body wall."""
    if rng.uniform() < 0.5:
        return np.zeros(echo.shape, dtype=np.complex128)
    level = rng.uniform(0.1, 0.6) * float(np.median(echo))
    reach = rng.uniform(0.2, 0.8) * r[-1]
    profile = np.exp(-r / reach)[:, None] * np.exp(0.5 * _smooth_noise(rng, echo.shape, 20.0))
    noise = (rng.standard_normal(echo.shape) + 1j * rng.standard_normal(echo.shape)) / np.sqrt(2.0)
    return level * profile * noise


def simulate(mask: np.ndarray, view: str, probe: Probe, rng: np.random.Generator) -> np.ndarray:
    """B-mode image (uint8, IMAGE_SHAPE) of the spleen section ``mask`` seen by ``probe``."""
    if mask.shape != IMAGE_SHAPE:
        raise ValueError(f"mask shape {mask.shape} != {IMAGE_SHAPE}")
    tissue = build_tissue(mask, view, probe, rng)
    half = np.deg2rad(probe.fan_deg / 2.0)
    r = np.linspace(0.0, probe.max_range_mm, N_RANGE)
    dr = r[1] - r[0]
    th = np.linspace(-half, half, N_LINES)
    dth = th[1] - th[0]

    echo = _to_polar(tissue.echo, probe, r, th)
    att = _to_polar(tissue.attenuation, probe, r, th)
    refl = _to_polar(tissue.reflector, probe, r, th)

    # Transmission: attenuation (two-way, dB) and loss behind strong reflectors.
    # Deeper settings use lower frequencies, as a sonographer would (two-way loss stays
    # within the receiver's range).
    f_max = float(np.clip(62.0 / (2.0 * 0.55 * probe.max_range_mm / 10.0), 2.2, 5.0))
    freq = rng.uniform(2.0, f_max)  # MHz
    att_db = 2.0 * np.cumsum(att * freq * dr / 10.0, axis=0)
    shadow = np.exp(-np.cumsum(refl * dr * rng.uniform(1.0, 3.0), axis=0))
    transmission = 10.0 ** (-att_db / 20.0) * np.clip(shadow, rng.uniform(0.1, 0.5), 1.0)

    # Scatterers and specular capsule reflections (coherent: boundary facing the beam). Real
    # capsules are not a continuous bright line: the reflection fades where the boundary is
    # oblique or rough and drops out in stretches, and in some patients it is barely seen.
    scat = (rng.standard_normal(echo.shape) + 1j * rng.standard_normal(echo.shape)) / np.sqrt(2.0)
    field = scat * echo
    capsule_gain = rng.uniform(0.3, 2.0) if rng.uniform() < 0.25 else rng.uniform(1.5, 8.0)
    for layer in tissue.specular:
        m = _to_polar(layer, probe, r, th)
        edge = np.abs(np.gradient(ndimage.gaussian_filter1d(m, 1.0, axis=0), axis=0))
        edge = edge * _capsule_visibility(rng, edge.shape)
        field = field + capsule_gain * edge * np.exp(1j * rng.uniform(0, 2 * np.pi, edge.shape) * 0.3)
    field = field + _clutter(rng, echo, r)
    field = field * transmission

    # PSF: axial Gaussian envelope; lateral width of a focused Gaussian beam.
    sigma_ax_mm = rng.uniform(0.25, 0.6) * (3.5 / freq) ** 0.5
    focus = rng.uniform(0.3, 0.8) * probe.max_range_mm
    waist = rng.uniform(0.4, 0.9) * (3.5 / freq)
    rayleigh = rng.uniform(40.0, 100.0)
    sigma_lat_mm = waist * np.sqrt(1.0 + ((r - focus) / rayleigh) ** 2)
    # In lines; capped because a phased array's lines converge at its near-point face (the cap lies
    # above anything a curvilinear probe produces, about 80 lines, so its images are unchanged).
    sigma_lines = np.minimum(sigma_lat_mm / ((r + probe.apex_radius_mm) * dth), MAX_LATERAL_SIGMA_LINES)
    re = ndimage.gaussian_filter1d(field.real, sigma_ax_mm / dr, axis=0)
    im = ndimage.gaussian_filter1d(field.imag, sigma_ax_mm / dr, axis=0)
    re = _variable_lateral_blur(re, sigma_lines)
    im = _variable_lateral_blur(im, sigma_lines)
    noise = 10.0 ** (-rng.uniform(66.0, 90.0) / 20.0)
    re = re + noise * rng.standard_normal(re.shape)
    im = im + noise * rng.standard_normal(im.shape)
    env = np.hypot(re, im)

    # Time-gain compensation: the nominal soft-tissue loss, mis-set and with slider ripple.
    tgc_db = 2.0 * 0.55 * freq * r / 10.0 * rng.uniform(0.75, 1.1)
    knots = rng.normal(0.0, 3.0, 8)
    tgc_db = tgc_db + np.interp(r, np.linspace(0, r[-1], 8), knots)
    env = env * 10.0 ** (tgc_db / 20.0)[:, None]

    # Log compression and display mapping.
    db = 20.0 * np.log10(env + 1e-9)
    ref = np.percentile(db, rng.uniform(97.0, 99.7))
    dyn = rng.uniform(40.0, 70.0)
    gain = rng.uniform(-8.0, 6.0)
    disp = np.clip((db - ref + gain + dyn) / dyn, 0.0, 1.0)
    disp = disp ** rng.uniform(0.7, 1.5)

    # Scan conversion to the image grid; zero outside the fan.
    rows, cols = IMAGE_SHAPE
    s = probe.spacing_mm
    x = (np.arange(cols) + 0.5) * s
    y = (np.arange(rows) + 0.5) * s
    pr, pth = probe.polar(x[None, :], y[:, None])
    coords = np.stack([pr / dr, (pth + half) / dth])
    img = ndimage.map_coordinates(disp, coords, order=1, mode="nearest")
    if rng.uniform() < 0.5:
        img = ndimage.gaussian_filter(img, rng.uniform(0.3, 0.9))
    fan = probe.fan_mask()
    out = np.clip(np.round(img * 255.0 * rng.uniform(0.85, 1.0)), 0, 255).astype(np.uint8)
    out[~fan] = 0
    return out
