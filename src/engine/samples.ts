/**
 * The bundled sample cases (models/samples/index.csv and masks.csv, written by
 * models/train/spv_train/samples.py): ids, image paths and, for these synthetic cases, the true volume.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SpvError } from '../api/errors';
import { parseCsvRecords } from './csv';

export interface CaseRow {
  id: string;
  /** Absolute paths (the index holds paths relative to itself). */
  coronal: string;
  transverse: string | null;
  spacing: { x: number; y: number } | null;
  kind: 'image' | 'mask';
  trueVolumeMl: number | null;
}

export interface CaseIndex {
  rows: CaseRow[];
  hasTrueVolume: boolean;
}

export const DEFAULT_SAMPLE_ID = 'sample-03';

/** "0.5" (square pixels) or "0.5 0.6" / "0.5;0.6" / "0.5x0.6" (x then y), in mm. */
export function parseSpacing(text: string): { x: number; y: number } | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const parts = trimmed.split(/[\s;x×]+/).map(Number);
  if (parts.length > 2 || parts.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new Error(`spacing "${text}" is not one or two positive numbers (mm per pixel)`);
  }
  return { x: parts[0], y: parts[1] ?? parts[0] };
}

/** Read an index CSV (columns id,coronal,transverse,spacing_mm,kind[,true_volume_ml]). */
export async function readCaseIndex(indexPath: string): Promise<CaseIndex> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    throw new SpvError(
      'not-found',
      `${indexPath} cannot be read: check the path of the index CSV`,
      { cause: error },
    );
  }
  const { header, records } = parseCsvRecords(text);
  for (const column of ['id', 'coronal']) {
    if (!header.includes(column)) {
      throw new SpvError(
        'bad-input',
        `${indexPath} has no "${column}" column: the index needs id,coronal,transverse,spacing_mm,kind`,
      );
    }
  }
  const base = dirname(indexPath);
  const rows = records.map((record, i): CaseRow => {
    const where = `${indexPath} row ${i + 2}`;
    let spacing: CaseRow['spacing'];
    try {
      spacing = parseSpacing(record.spacing_mm ?? '');
    } catch (error) {
      throw new SpvError('bad-input', `${where}: ${(error as Error).message}`);
    }
    const kind = (record.kind || 'image').toLowerCase();
    if (kind !== 'image' && kind !== 'mask') {
      throw new SpvError(
        'bad-input',
        `${where}: kind "${record.kind}" is neither "image" nor "mask"`,
      );
    }
    const trueVolume = record.true_volume_ml ? Number(record.true_volume_ml) : null;
    return {
      id: record.id || `row-${i + 2}`,
      coronal: resolve(base, record.coronal),
      transverse: record.transverse ? resolve(base, record.transverse) : null,
      spacing,
      kind,
      trueVolumeMl: trueVolume !== null && Number.isFinite(trueVolume) ? trueVolume : null,
    };
  });
  return { rows, hasTrueVolume: header.includes('true_volume_ml') };
}
