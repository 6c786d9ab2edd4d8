/**
 * The seeded generator of the interval's samples (PIPELINE §5): mulberry32 for uniforms and
 * Box–Muller for normals, bit-for-bit the same as models/train/spv_train/preprocess.py so that the
 * same mask gives the same interval in Python and in the app.
 */

/** mulberry32: a tiny 32-bit generator; `next()` returns a uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` standard normals from `next`: one normal per pair of draws (the cosine branch only), with
 * u1 mapped to (0, 1] so that the logarithm is finite.
 */
export function boxMullerNormals(next: () => number, count: number, out = new Float64Array(count)): Float64Array {
  for (let i = 0; i < count; i++) {
    const u1 = 1 - next();
    const u2 = next();
    out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

/** The ε matrix [K × D], sample-major, for a seed. Fixed per model, so callers may cache it. */
export function standardNormalMatrix(seed: number, samples: number, dim: number): Float64Array {
  return boxMullerNormals(mulberry32(seed), samples * dim);
}
