/**
 * Calibration of PNG/JPEG images from a JSON sidecar written next to them: `<name>.json` (image
 * extension replaced) or `<name>.<ext>.json`, holding `"spacing_mm": [sx, sy]` in mm per pixel.
 */
import { readFile } from 'node:fs/promises';
import type { Calibration } from '../api/contract';
import { isPlausibleSpacingMm, SPACING_RANGE_TEXT } from '../imaging/calibration';
import { badInput } from './bad-input';

export function sidecarCandidates(imagePath: string): string[] {
  const withoutExt = imagePath.replace(/\.[^./\\]*$/, '');
  return [`${withoutExt}.json`, `${imagePath}.json`];
}

/** The sidecar's calibration; null when there is no sidecar; bad-input when it is malformed. */
export async function readSidecarCalibration(imagePath: string): Promise<Calibration | null> {
  for (const candidate of sidecarCandidates(imagePath)) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badInput(
        candidate,
        'the calibration sidecar is not valid JSON',
        'Fix or delete the sidecar file.',
      );
    }
    const spacing = (parsed as { spacing_mm?: unknown } | null)?.spacing_mm;
    if (spacing === undefined) continue; // a sidecar without calibration (e.g. other metadata)
    if (!Array.isArray(spacing) || spacing.length !== 2 || !spacing.every(isPlausibleSpacingMm)) {
      throw badInput(
        candidate,
        `"spacing_mm" must be [sx, sy], two numbers of mm per pixel in ${SPACING_RANGE_TEXT}, not ${JSON.stringify(spacing)}`,
        'Fix the sidecar file (the pixel size in mm, not cm or µm).',
      );
    }
    return {
      spacingX: spacing[0] as number,
      spacingY: spacing[1] as number,
      source: 'sidecar',
      detail: `${candidate.split(/[\\/]/).pop()}: ${spacing[0]} × ${spacing[1]} mm/px`,
    };
  }
  return null;
}
