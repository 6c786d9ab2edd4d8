/**
 * Image → spleen mask at the image's own size (PIPELINE §2–§3): letterbox, normalise, U-Net,
 * un-letterbox the logits, threshold, keep the largest island, fill its holes; and how sure the
 * network was of that outline (§3b).
 */
import { cleanMask } from '../imaging/components';
import { maskConfidence } from '../imaging/confidence';
import {
  letterbox,
  normaliseForSegmenter,
  thresholdLogits,
  unletterboxLogits,
} from '../imaging/resample';
import type { GreyImage } from '../imaging/types';
import type { Inference } from '../inference/types';
import type { Manifest } from '../models/manifest';

export interface AiSegmentation {
  /** 0/1 per pixel of the image, row-major. */
  mask: Uint8Array;
  /** Mean U-Net probability inside the mask (PIPELINE §3b), in [0, 1]; 0 when the mask is empty. */
  confidence: number;
}

export async function segmentImage(
  inference: Inference,
  manifest: Manifest,
  image: GreyImage,
): Promise<AiSegmentation> {
  const spec = manifest.segmenter;
  const { canvas, box } = letterbox(image, spec.input_size);
  const input = normaliseForSegmenter(canvas, spec.normalization.mean, spec.normalization.std);
  const logits = await inference.segment(input, spec.input_size);
  const full = unletterboxLogits(logits, box);
  const mask = cleanMask(thresholdLogits(full, spec.threshold), image.width, image.height);
  return { mask, confidence: maskConfidence(full, mask) };
}
