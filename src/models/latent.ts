/**
 * Where a case sits in the latent space (PIPELINE §6): its position on the training latents' two
 * principal components, and its Mahalanobis distance from the training distribution.
 */
import type { LatentStats } from './manifest';

/** p = components · (mu − pca.mean). */
export function pcaPosition(mu: ArrayLike<number>, pca: LatentStats['pca']): [number, number] {
  const position: [number, number] = [0, 0];
  for (let c = 0; c < 2; c++) {
    const component = pca.components[c];
    let dot = 0;
    for (let d = 0; d < mu.length; d++) dot += component[d] * (mu[d] - pca.mean[d]);
    position[c] = dot;
  }
  return position;
}

/** sqrt((mu − mean)ᵀ · precision · (mu − mean)). */
export function mahalanobisDistance(mu: ArrayLike<number>, mean: number[], precision: number[][]): number {
  const dim = mu.length;
  let total = 0;
  for (let i = 0; i < dim; i++) {
    const di = mu[i] - mean[i];
    const row = precision[i];
    let rowDot = 0;
    for (let j = 0; j < dim; j++) rowDot += row[j] * (mu[j] - mean[j]);
    total += di * rowDot;
  }
  // A precision matrix from a finite sample may be slightly indefinite; never return NaN.
  return Math.sqrt(Math.max(0, total));
}
