/**
 * The shipped samples (models/samples/, written by pydicom/PIL in models/train/spv_train/samples.py)
 * decode with the calibration they were written with: an independent writer for both PNG sidecars
 * and ultrasound DICOM. Skipped, saying so, until the samples exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import { decodeImageFile, type DecodedImage } from '../../src/decode';

const SAMPLES = join(__dirname, '..', '..', 'models', 'samples');
const INDEX = join(SAMPLES, 'index.csv');
const present = existsSync(INDEX);

function csvRows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const keys = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])));
}

function sidecarSpacing(imagePath: string): [number, number] | null {
  const sidecar = imagePath.replace(/\.[^.]+$/, '.json');
  if (!existsSync(sidecar)) return null;
  return (
    (JSON.parse(readFileSync(sidecar, 'utf8')) as { spacing_mm?: [number, number] }).spacing_mm ??
    null
  );
}

async function decodeAnyFrame(
  path: string,
): Promise<{ decoded: DecodedImage; neededFrame: boolean }> {
  try {
    return { decoded: await decodeImageFile(path), neededFrame: false };
  } catch (error) {
    if (error instanceof SpvError && /frames/.test(error.message)) {
      return { decoded: await decodeImageFile(path, { frame: 0 }), neededFrame: true };
    }
    throw error;
  }
}

const title = present
  ? 'shipped samples decode with their calibration'
  : 'shipped samples decode with their calibration — SKIPPED: models/samples/index.csv does not exist yet';

describe.skipIf(!present)(title, () => {
  it('every indexed PNG takes its spacing from its JSON sidecar', async () => {
    const rows = present ? csvRows(INDEX) : [];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const rel of [row.coronal, row.transverse].filter(Boolean)) {
        const path = join(SAMPLES, rel);
        const d = await decodeImageFile(path);
        const spacing = sidecarSpacing(path);
        expect(spacing, `${rel} has a sidecar`).not.toBeNull();
        expect(d.calibration).toMatchObject({
          source: 'sidecar',
          spacingX: spacing![0],
          spacingY: spacing![1],
        });
        expect(d.grey.width * d.grey.height).toBeGreaterThan(0);
      }
    }
  });

  it('the sample DICOMs decode: calibrated from their regions, one multi-frame, one uncalibrated', async () => {
    const dicoms = readdirSync(SAMPLES).filter((f) => f.toLowerCase().endsWith('.dcm'));
    expect(dicoms.length).toBeGreaterThan(0);
    let fromRegions = 0;
    let uncalibrated = 0;
    let multiFrame = 0;
    for (const file of dicoms) {
      const { decoded, neededFrame } = await decodeAnyFrame(join(SAMPLES, file));
      expect(decoded.format).toBe('dicom');
      expect(decoded.meta.modality).toBe('US');
      let min = Infinity;
      let max = -Infinity;
      for (const v of decoded.grey.data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(max, `${file} is not blank`).toBeGreaterThan(min);
      if (decoded.calibration?.source === 'ultrasound-regions') fromRegions++;
      if (decoded.calibration === null) uncalibrated++;
      if (neededFrame) multiFrame++;
    }
    expect(fromRegions).toBeGreaterThanOrEqual(2);
    expect(uncalibrated).toBeGreaterThanOrEqual(1);
    expect(multiFrame).toBeGreaterThanOrEqual(1);
  });

  it('a DICOM beside a PNG of the same view holds the same pixels and the sidecar spacing', async () => {
    const pairs = readdirSync(SAMPLES)
      .filter((f) => f.endsWith('.dcm') && existsSync(join(SAMPLES, f.replace(/\.dcm$/, '.png'))))
      .map((f) => [join(SAMPLES, f), join(SAMPLES, f.replace(/\.dcm$/, '.png'))]);
    expect(pairs.length).toBeGreaterThan(0);
    for (const [dcm, png] of pairs) {
      const d = await decodeImageFile(dcm);
      const p = await decodeImageFile(png);
      expect([d.grey.width, d.grey.height]).toEqual([p.grey.width, p.grey.height]);
      let differing = 0;
      for (let i = 0; i < d.grey.data.length; i++)
        if (d.grey.data[i] !== p.grey.data[i]) differing++;
      expect(differing, `${dcm} pixels equal the PNG's`).toBe(0);
      if (p.calibration === null) {
        expect(d.calibration, `${dcm}: uncalibrated like its PNG`).toBeNull();
      } else {
        expect(d.calibration!.spacingX).toBeCloseTo(p.calibration.spacingX, 9);
        expect(d.calibration!.spacingY).toBeCloseTo(p.calibration.spacingY, 9);
      }
    }
  });
});
