/**
 * Area resampling and the U-Net letterbox (docs/PIPELINE.md §2, §3).
 *
 * One mechanism serves both the letterbox and the physical grid (§4): each output sample covers an
 * interval of the source axis and takes the overlap-weighted mean of the source samples under it.
 * The weights are sparse (an output touches only the few source samples under its interval), so
 * they are stored compressed per output and applied separably: first along x, then along y.
 */

/**
 * Sparse overlap weights for one axis, compressed by output: output `j` reads the source samples
 * `first[j] … first[j] + (offset[j+1] − offset[j]) − 1` with weights `weights[offset[j] …]`.
 */
export interface AxisWeights {
  /** Number of source samples. */
  n: number;
  /** Number of output samples. */
  m: number;
  first: Int32Array;
  offset: Int32Array;
  weights: Float64Array;
}

/**
 * Weights of outputs `j = 0 … m−1` covering the source interval `[start + j·step, start + (j+1)·step)`
 * (in source-sample units, sample `i` covering `[i, i+1)`): `w(j, i) = overlap / step`. Source
 * samples outside `[0, n)` contribute nothing (they are zero), so an output partly off the source
 * has weights summing to less than one.
 */
export function overlapWeights(n: number, m: number, start: number, step: number): AxisWeights {
  const first = new Int32Array(m);
  const offset = new Int32Array(m + 1);
  const collected: number[] = [];
  for (let j = 0; j < m; j++) {
    const lo = start + j * step;
    const hi = start + (j + 1) * step;
    const i0 = Math.max(0, Math.floor(lo));
    const i1 = Math.min(n, Math.ceil(hi)); // exclusive
    first[j] = i0;
    for (let i = i0; i < i1; i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      collected.push(overlap > 0 ? overlap / step : 0);
    }
    offset[j + 1] = collected.length;
  }
  return { n, m, first, offset, weights: Float64Array.from(collected) };
}

/** PIPELINE §2: an axis of `n` samples resampled to `m` by area: output j covers `[j·n/m, (j+1)·n/m)`. */
export function areaResampleWeights(n: number, m: number): AxisWeights {
  return overlapWeights(n, m, 0, n / m);
}

/**
 * Separable resample `out = Ry · img · Rxᵀ` of a row-major `img` (`rx.n` wide, `ry.n` high) into
 * `out` (`rx.m` wide, `ry.m` high), written at (`outX`, `outY`) of a row-major buffer `outStride` wide.
 * Only source rows `rowFrom … rowTo − 1` are read (the rest are taken as zero) so that callers with
 * a sparse mask skip its empty rows.
 */
export function applySeparable(
  img: ArrayLike<number>,
  rx: AxisWeights,
  ry: AxisWeights,
  out: Float32Array | Float64Array,
  outStride: number,
  outX = 0,
  outY = 0,
  rowFrom = 0,
  rowTo = ry.n,
): void {
  const srcWidth = rx.n;
  const outWidth = rx.m;
  // Locals, not property reads, in the hot loops: V8 keeps them in registers.
  const xFirst = rx.first;
  const xOffset = rx.offset;
  const xWeights = rx.weights;
  // Pass 1 (x): each needed source row → an output-width row, in float64.
  const rows = rowTo - rowFrom;
  const horizontal = new Float64Array(rows * outWidth);
  for (let y = rowFrom; y < rowTo; y++) {
    const srcRow = y * srcWidth;
    const dstRow = (y - rowFrom) * outWidth;
    for (let j = 0; j < outWidth; j++) {
      let sum = 0;
      let i = xFirst[j] + srcRow;
      const kEnd = xOffset[j + 1];
      for (let k = xOffset[j]; k < kEnd; k++, i++) sum += xWeights[k] * img[i];
      horizontal[dstRow + j] = sum;
    }
  }
  // Pass 2 (y): accumulate weighted rows.
  const yFirst = ry.first;
  const yOffset = ry.offset;
  const yWeights = ry.weights;
  const acc = new Float64Array(outWidth);
  for (let k = 0; k < ry.m; k++) {
    acc.fill(0);
    const tEnd = yOffset[k + 1];
    for (let t = yOffset[k], y = yFirst[k]; t < tEnd; t++, y++) {
      if (y < rowFrom || y >= rowTo) continue;
      const w = yWeights[t];
      if (w === 0) continue;
      const row = (y - rowFrom) * outWidth;
      for (let j = 0; j < outWidth; j++) acc[j] += w * horizontal[row + j];
    }
    const dst = (outY + k) * outStride + outX;
    for (let j = 0; j < outWidth; j++) out[dst + j] = acc[j];
  }
}

/** Where the resized image sits in the S × S U-Net canvas (PIPELINE §2). */
export interface LetterboxBox {
  size: number;
  nw: number;
  nh: number;
  ox: number;
  oy: number;
  srcWidth: number;
  srcHeight: number;
}

/** Round half away from zero, as PIPELINE §2 says (Math.round rounds −0.5 up; sizes are positive). */
function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

export function letterboxBox(width: number, height: number, size: number): LetterboxBox {
  const scale = size / Math.max(width, height);
  const nw = Math.max(1, roundHalfAwayFromZero(width * scale));
  const nh = Math.max(1, roundHalfAwayFromZero(height * scale));
  return {
    size,
    nw,
    nh,
    ox: Math.floor((size - nw) / 2),
    oy: Math.floor((size - nh) / 2),
    srcWidth: width,
    srcHeight: height,
  };
}

/** Area-resizes the image into the S × S canvas of zeros, keeping its aspect ratio (grey 0..255). */
export function letterbox(
  img: { width: number; height: number; data: ArrayLike<number> },
  size: number,
): { canvas: Float32Array; box: LetterboxBox } {
  const box = letterboxBox(img.width, img.height, size);
  const canvas = new Float32Array(size * size);
  applySeparable(
    img.data,
    areaResampleWeights(img.width, box.nw),
    areaResampleWeights(img.height, box.nh),
    canvas,
    size,
    box.ox,
    box.oy,
  );
  return { canvas, box };
}

/** `t = (g / 255 − mean) / std` over the whole canvas, padding included (PIPELINE §2). */
export function normaliseForSegmenter(
  canvas: Float32Array,
  mean: number,
  std: number,
): Float32Array {
  const out = new Float32Array(canvas.length);
  for (let i = 0; i < canvas.length; i++) out[i] = (canvas[i] / 255 - mean) / std;
  return out;
}

/** Bilinear sampling positions with half-pixel centres, clamped to the edge: source `(x + 0.5)·n/m − 0.5`. */
function bilinearTaps(
  n: number,
  m: number,
): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const frac = new Float64Array(m);
  for (let x = 0; x < m; x++) {
    const s = Math.min(Math.max((x + 0.5) * (n / m) - 0.5, 0), n - 1);
    const i = Math.floor(s);
    lo[x] = i;
    hi[x] = Math.min(i + 1, n - 1);
    frac[x] = s - i;
  }
  return { lo, hi, frac };
}

/**
 * Crops the letterboxed logits back to the content box and resizes them to the source size by
 * bilinear interpolation (PIPELINE §3). Logits, not probabilities, are resized so that the
 * threshold falls on a smooth surface.
 */
export function unletterboxLogits(logits: Float32Array, box: LetterboxBox): Float32Array {
  const { size, nw, nh, ox, oy, srcWidth, srcHeight } = box;
  if (logits.length !== size * size) {
    throw new RangeError(`unletterboxLogits: expected ${size * size} logits, got ${logits.length}`);
  }
  const tx = bilinearTaps(nw, srcWidth);
  const ty = bilinearTaps(nh, srcHeight);
  const out = new Float32Array(srcWidth * srcHeight);
  for (let y = 0; y < srcHeight; y++) {
    const r0 = (oy + ty.lo[y]) * size + ox;
    const r1 = (oy + ty.hi[y]) * size + ox;
    const fy = ty.frac[y];
    const dst = y * srcWidth;
    for (let x = 0; x < srcWidth; x++) {
      const a = tx.lo[x];
      const b = tx.hi[x];
      const fx = tx.frac[x];
      const top = logits[r0 + a] * (1 - fx) + logits[r0 + b] * fx;
      const bottom = logits[r1 + a] * (1 - fx) + logits[r1 + b] * fx;
      out[dst + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * Binary mask from logits: `logit > log(p / (1 − p))` for the probability threshold `p` (0.5 → 0),
 * which equals `sigmoid(logit) > p` without computing a sigmoid per pixel.
 */
export function thresholdLogits(logits: Float32Array, threshold: number): Uint8Array {
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(
      `thresholdLogits: threshold must be a probability in (0, 1), got ${threshold}`,
    );
  }
  const cut = Math.log(threshold / (1 - threshold));
  const mask = new Uint8Array(logits.length);
  for (let i = 0; i < logits.length; i++) mask[i] = logits[i] > cut ? 1 : 0;
  return mask;
}
