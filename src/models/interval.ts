/**
 * Volume scaling and the calibrated 95% interval (PIPELINE §5).
 */
import type { IntervalSpec, VolumeScaling } from './manifest';

/** Standardised log-volume y → mL. */
export function volumeFromY(y: number, scaling: VolumeScaling): number {
  return Math.exp(scaling.mean + scaling.std * y);
}

/**
 * Fill `out` ([K × D], sample-major) with z_k = mu + exp(logvar / 2) · ε_k.
 * `out` is reused between calls so that a re-estimate allocates nothing.
 */
export function sampleLatents(
  mu: ArrayLike<number>,
  logvar: ArrayLike<number>,
  eps: Float64Array,
  samples: number,
  out: Float32Array,
): Float32Array {
  const dim = mu.length;
  for (let d = 0; d < dim; d++) {
    const sigma = Math.exp(logvar[d] / 2);
    const m = mu[d];
    for (let k = 0; k < samples; k++) out[k * dim + d] = m + sigma * eps[k * dim + d];
  }
  return out;
}

/** Population standard deviation (ddof 0), in float64. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return Math.sqrt(squares / n);
}

export interface VolumeEstimate {
  volumeMl: number;
  ci95Ml: [number, number];
  /** Point estimate in standardised log-volume units. */
  y0: number;
  /** Spread of the sampled y (before calibration). */
  sampleStd: number;
  /** Calibrated half-width in y units. */
  halfWidth: number;
}

/** The point estimate from y0 = head(mu) and the interval from the sampled heads y_k. */
export function estimateVolume(
  y0: number,
  sampledY: ArrayLike<number>,
  scaling: VolumeScaling,
  interval: Pick<IntervalSpec, 'calibration_factor'>,
): VolumeEstimate {
  const sampleStd = populationStd(sampledY);
  const halfWidth = interval.calibration_factor * 1.96 * sampleStd;
  return {
    volumeMl: volumeFromY(y0, scaling),
    ci95Ml: [volumeFromY(y0 - halfWidth, scaling), volumeFromY(y0 + halfWidth, scaling)],
    y0,
    sampleStd,
    halfWidth,
  };
}
