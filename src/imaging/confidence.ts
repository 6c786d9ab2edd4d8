/**
 * Confidence of the AI outline (docs/PIPELINE.md §3b): the U-Net's mean probability over the
 * pixels of the mask it finally keeps. Near 1 when the network is sure of the whole outline; it
 * falls when much of the organ is drawn hesitantly, which is what images unlike the training data
 * do to it. The estimator warns below the manifest's `segmenter.confidence.flag_below`.
 */

/** Mean sigmoid of `logits` over the pixels where `mask` is set; 0 for an empty mask. */
export function maskConfidence(logits: Float32Array, mask: Uint8Array): number {
  if (logits.length !== mask.length) {
    throw new RangeError(
      `maskConfidence: ${logits.length} logits for a mask of ${mask.length} pixels`,
    );
  }
  let sum = 0;
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    sum += 1 / (1 + Math.exp(-logits[i]));
    count++;
  }
  return count === 0 ? 0 : sum / count;
}
