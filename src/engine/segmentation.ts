/**
 * Image → spleen mask at the image's own size (PIPELINE §2–§3): letterbox, normalise, U-Net,
 * un-letterbox the logits, threshold, keep the largest island, fill its holes.
 */
import { cleanMask } from '../imaging/components';
import {
  letterbox,
  normaliseForSegmenter,
  thresholdLogits,
  unletterboxLogits,
} from '../imaging/resample';
import type { GreyImage } from '../imaging/types';
import type { Inference } from '../inference/types';
import type { Manifest } from '../models/manifest';

export async function segmentImage(
  inference: Inference,
  manifest: Manifest,
  image: GreyImage,
): Promise<Uint8Array> {
  const spec = manifest.segmenter;
  const { canvas, box } = letterbox(image, spec.input_size);
  const input = normaliseForSegmenter(canvas, spec.normalization.mean, spec.normalization.std);
  const logits = await inference.segment(input, spec.input_size);
  const full = unletterboxLogits(logits, box);
  return cleanMask(thresholdLogits(full, spec.threshold), image.width, image.height);
}
