"""Calibration numbers that go into the manifest (PIPELINE §5–§6, DESIGN §6):

- the interval calibration factor c, fitted on the calib split: the 95th percentile of
  |y_true − y0| / (1.96·s), so that the stated 95% interval covers 95% of held-out cases;
- the length-only regression V = a + b·L on the train split (L = measured coronal length, cm);
- the latent statistics of the training cases: mean, precision (inverse covariance), the 99th
  percentile of their Mahalanobis distances, a 2-component PCA (PC1 oriented so that it grows
  with volume) and a 400-point cloud [pc1, pc2, volume_ml].
"""

from __future__ import annotations

import numpy as np


def fit_calibration_factor(y_true: np.ndarray, y0: np.ndarray, s: np.ndarray, level: float = 95.0) -> float:
    ratio = np.abs(y_true - y0) / (1.96 * np.maximum(s, 1e-9))
    return float(np.percentile(ratio, level))


def coverage(y_true: np.ndarray, y0: np.ndarray, s: np.ndarray, c: float) -> float:
    return float(np.mean(np.abs(y_true - y0) <= c * 1.96 * s))


def fit_length_regression(length_cm: np.ndarray, volume_ml: np.ndarray) -> dict:
    design = np.stack([np.ones_like(length_cm, dtype=np.float64), length_cm.astype(np.float64)], axis=1)
    (intercept, slope), *_ = np.linalg.lstsq(design, volume_ml.astype(np.float64), rcond=None)
    return {
        "intercept_ml": float(intercept),
        "slope_ml_per_cm": float(slope),
        "n": int(len(length_cm)),
        "fitted_on": "train split",
    }


CONFIDENCE_FLAG_SHARE = 0.05


def fit_confidence_flag(confidence: np.ndarray, share: float = CONFIDENCE_FLAG_SHARE) -> dict:
    """manifest segmenter.confidence: flag a U-Net mask whose mean probability (preprocess.
    mask_confidence) is below the level that `share` of the calib split's images (both views,
    training look) fall under. On familiar images the warning is rare by construction; on images
    unlike the training data the U-Net hesitates and it fires far more often (models/ROBUSTNESS.md)."""
    values = np.asarray(confidence, dtype=np.float64)
    return {
        "statistic": "mean U-Net probability inside the kept mask (PIPELINE §3b)",
        "flag_below": round(float(np.quantile(values, share)), 4),
        "flag_share_calib": share,
        "fitted_on": f"calib split, U-Net masks, both views ({len(values)} images)",
    }


def mahalanobis(mu: np.ndarray, mean: np.ndarray, precision: np.ndarray) -> np.ndarray:
    d = mu - mean
    return np.sqrt(np.maximum(np.einsum("nd,de,ne->n", d, precision, d), 0.0))


def latent_stats(mu: np.ndarray, volume_ml: np.ndarray, cloud_size: int = 400, seed: int = 11) -> dict:
    mu = mu.astype(np.float64)
    mean = mu.mean(axis=0)
    centred = mu - mean
    cov = centred.T @ centred / max(1, len(mu) - 1)
    # A small ridge keeps the precision finite for latent dimensions the encoder left unused.
    cov += np.eye(cov.shape[0]) * 1e-6 * max(1e-12, float(np.trace(cov)) / cov.shape[0])
    precision = np.linalg.inv(cov)
    precision = (precision + precision.T) / 2
    threshold = float(np.percentile(mahalanobis(mu, mean, precision), 99))

    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2].copy()
    explained = (sing[:2] ** 2) / max(1, len(mu) - 1)
    proj = centred @ components.T
    if np.corrcoef(proj[:, 0], np.log(volume_ml))[0, 1] < 0:
        components[0] *= -1
        proj[:, 0] *= -1
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(mu))[: min(cloud_size, len(mu))]
    cloud = [[round(float(proj[k, 0]), 5), round(float(proj[k, 1]), 5), round(float(volume_ml[k]), 2)] for k in pick]
    return {
        "mean": mean.tolist(),
        "precision": precision.tolist(),
        "distance_threshold": threshold,
        "pca": {"mean": mean.tolist(), "components": components.tolist(), "explained_variance": explained.tolist()},
        "cloud": cloud,
    }
