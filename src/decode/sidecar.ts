/**
 * Calibration of PNG/JPEG images from a JSON sidecar written next to them: `<name>.json` (image
 * extension replaced) or `<name>.<ext>.json`, holding `"spacing_mm": [sx, sy]` in mm per pixel.
 * The sidecar's name is matched ignoring letter case (`Scan_Coronal.PNG` beside
 * `Scan_Coronal.JSON`), as the coronal/transverse pairing is: on a case-sensitive disk an exact
 * path would miss it and the image would import uncalibrated.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Calibration } from '../api/contract';
import { isPlausibleSpacingMm, SPACING_RANGE_TEXT } from '../imaging/calibration';
import { badInput } from './bad-input';

/**
 * The sidecars of `imagePath` among the names of its folder (`folderNames`), as paths, in the
 * order they are tried: `<name>.json` before `<name>.<ext>.json`; of names differing only in
 * letter case (possible on a case-sensitive disk), the one spelt exactly like the image first.
 */
export function sidecarsAmong(imagePath: string, folderNames: readonly string[]): string[] {
  const imageName = basename(imagePath);
  const folder = dirname(imagePath);
  const spelt = [`${imageName.replace(/\.[^.]*$/, '')}.json`, `${imageName}.json`];
  const found = new Set<string>();
  for (const wanted of spelt) {
    const matching = folderNames
      .filter((name) => name.toLowerCase() === wanted.toLowerCase())
      .sort((a, b) => Number(a !== wanted) - Number(b !== wanted) || a.localeCompare(b));
    for (const name of matching) found.add(join(folder, name));
  }
  return [...found];
}

/** The sidecar files beside an image (see sidecarsAmong); none when its folder cannot be listed. */
export async function findSidecars(imagePath: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(imagePath));
  } catch {
    return [];
  }
  return sidecarsAmong(imagePath, names);
}

/**
 * The sidecar's calibration; null when there is no sidecar; bad-input when it is malformed. The
 * sidecar is looked for among `folderNames` when the caller has listed the image's folder already
 * (a folder import), else the folder is listed.
 */
export async function readSidecarCalibration(
  imagePath: string,
  folderNames?: readonly string[],
): Promise<Calibration | null> {
  const candidates = folderNames
    ? sidecarsAmong(imagePath, folderNames)
    : await findSidecars(imagePath);
  for (const candidate of candidates) {
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
      detail: `${basename(candidate)}: ${spacing[0]} × ${spacing[1]} mm/px`,
    };
  }
  return null;
}
