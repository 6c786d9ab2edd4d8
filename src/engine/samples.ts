/**
 * The bundled sample cases (models/samples/index.csv and masks.csv, written by
 * models/train/spv_train/samples.py): ids, image paths and, for these synthetic cases, the true volume.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PatientSchema, type Patient } from '../api/contract';
import { SpvError } from '../api/errors';
import { parseCsvRecords } from './csv';

export interface CaseRow {
  id: string;
  /** Absolute paths (the index holds paths relative to itself). */
  coronal: string;
  transverse: string | null;
  spacing: { x: number; y: number } | null;
  kind: 'image' | 'mask';
  /** The frame of a multi-frame DICOM view (columns coronal_frame, transverse_frame). */
  coronalFrame?: number;
  transverseFrame?: number;
  trueVolumeMl: number | null;
  /**
   * The patient inputs of the optional columns age_years, sex, height_cm (they choose the
   * reference limits); absent when the row gives none.
   */
  patient?: Patient;
}

/** A row that cannot be a case (a bad spacing, kind or frame): kept, with what is wrong with it. */
export interface BadCaseRow {
  id: string;
  /** Names the index, the row and the problem. */
  error: string;
  trueVolumeMl: number | null;
}

export interface CaseIndex {
  rows: CaseRow[];
  hasTrueVolume: boolean;
}

/** Every row of an index in order, the bad ones with their error (for `spv batch`). */
export interface CaseIndexRows {
  rows: (CaseRow | BadCaseRow)[];
  hasTrueVolume: boolean;
}

export function isBadCaseRow(row: CaseRow | BadCaseRow): row is BadCaseRow {
  return 'error' in row;
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

/** A frame column: empty for none, else a whole number ≥ 0 (frames count from 0). */
function parseFrame(column: string, text: string | undefined): number | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return undefined;
  if (!/^\d+$/.test(trimmed)) {
    throw new Error(
      `${column} "${text}" is not a whole number ≥ 0 (the frame of a multi-frame DICOM, counted from 0)`,
    );
  }
  return Number(trimmed);
}

/** A plain decimal ("40", "4.5"): not "0x10", "1e2" or "Infinity", which Number() also reads. */
const DECIMAL = /^\d+(\.\d+)?$/;

/** The patient columns, each with what it must hold (the ranges are PatientSchema's). */
const PATIENT_COLUMNS = {
  ageYears: { column: 'age_years', holds: 'an age in years (0–130)' },
  sex: { column: 'sex', holds: '"female" or "male" (F or M)' },
  heightCm: { column: 'height_cm', holds: 'a height in cm (30–250)' },
} as const;

/**
 * The patient columns (age_years, sex, height_cm), checked by the schema the app's fields are;
 * sex as "female"/"male" or DICOM's "F"/"M". Undefined when the row gives none of them.
 */
function patientFromRecord(record: Record<string, string>): Patient | undefined {
  const text = (field: keyof typeof PATIENT_COLUMNS) =>
    (record[PATIENT_COLUMNS[field].column] ?? '').trim();
  const number = (t: string) => (t === '' ? null : DECIMAL.test(t) ? Number(t) : NaN);
  const sex = text('sex').toLowerCase();
  const given = {
    ageYears: number(text('ageYears')),
    sex: sex === '' ? null : sex === 'f' ? 'female' : sex === 'm' ? 'male' : sex,
    heightCm: number(text('heightCm')),
  };
  if (given.ageYears === null && given.sex === null && given.heightCm === null) return undefined;
  const parsed = PatientSchema.safeParse(given);
  if (parsed.success) return parsed.data;
  const field = parsed.error.issues[0]?.path[0] as keyof typeof PATIENT_COLUMNS;
  const { column, holds } = PATIENT_COLUMNS[field];
  throw new Error(`${column} "${text(field)}" is not ${holds}, nor empty`);
}

/** One record → a case; throws an Error saying what is wrong with the row. */
function caseFromRecord(
  record: Record<string, string>,
  id: string,
  base: string,
  trueVolumeMl: number | null,
): CaseRow {
  if (!record.coronal) throw new Error('the coronal column is empty: give the coronal image file');
  const spacing = parseSpacing(record.spacing_mm ?? '');
  const kind = (record.kind || 'image').toLowerCase();
  if (kind !== 'image' && kind !== 'mask') {
    throw new Error(`kind "${record.kind}" is neither "image" nor "mask"`);
  }
  const coronalFrame = parseFrame('coronal_frame', record.coronal_frame);
  const transverseFrame = parseFrame('transverse_frame', record.transverse_frame);
  if (transverseFrame !== undefined && !record.transverse) {
    throw new Error('transverse_frame is given but the row has no transverse file');
  }
  const patient = patientFromRecord(record);
  return {
    id,
    coronal: resolve(base, record.coronal),
    transverse: record.transverse ? resolve(base, record.transverse) : null,
    spacing,
    kind,
    // Only when given, so that rows without frames stay exactly as they were.
    ...(coronalFrame !== undefined ? { coronalFrame } : {}),
    ...(transverseFrame !== undefined ? { transverseFrame } : {}),
    ...(patient ? { patient } : {}),
    trueVolumeMl,
  };
}

/**
 * Read an index CSV (columns id,coronal,transverse,spacing_mm,kind[,coronal_frame]
 * [,transverse_frame][,true_volume_ml][,age_years][,sex][,height_cm]), keeping each bad row with
 * its error: one bad row must not cost the batch its other rows. A missing file or column is still
 * refused as a whole.
 */
export async function readCaseIndexRows(indexPath: string): Promise<CaseIndexRows> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    const isFolder = (error as NodeJS.ErrnoException).code === 'EISDIR';
    throw new SpvError(
      isFolder ? 'bad-input' : 'not-found',
      isFolder
        ? `${indexPath} is a folder, not a CSV file: give the path of the index CSV`
        : `${indexPath} cannot be read: check the path of the index CSV`,
      { cause: error },
    );
  }
  const parsed = parseCsvRecords(text);
  // Column names in any letter case (a spreadsheet's "ID", "Coronal"): one meaning each.
  const header = parsed.header.map((name) => name.toLowerCase());
  const records = parsed.records.map((record) =>
    Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value])),
  );
  for (const column of ['id', 'coronal']) {
    if (!header.includes(column)) {
      // Excel writes ';' where the decimal mark is a comma: the whole header is then one column.
      const semicolons = parsed.header.length === 1 && (parsed.header[0] ?? '').includes(';');
      throw new SpvError(
        'bad-input',
        `${indexPath} has no "${column}" column: the index needs id,coronal,transverse,spacing_mm,kind` +
          (semicolons
            ? '. It looks separated by ";" (a spreadsheet in some languages): save it as comma-separated CSV'
            : ''),
      );
    }
  }
  if (records.length === 0)
    throw new SpvError(
      'bad-input',
      `${indexPath} has a header but no case rows: add a row per case (id,coronal,transverse,spacing_mm,kind)`,
    );
  const base = dirname(indexPath);
  const firstRowOf = new Map<string, number>();
  const rows = records.map((record, i): CaseRow | BadCaseRow => {
    const row = i + 2;
    const id = record.id || `row-${row}`;
    const trueText = record.true_volume_ml ?? '';
    const trueVolume = trueText === '' ? null : Number(trueText);
    const trueVolumeMl = trueVolume !== null && Number.isFinite(trueVolume) ? trueVolume : null;
    const bad = (message: string): BadCaseRow => ({
      id,
      error: `${indexPath} row ${row}: ${message}`,
      trueVolumeMl,
    });
    // Results are written and read back by id: two rows of one id would be told apart by no one.
    const first = firstRowOf.get(id);
    if (first !== undefined)
      return bad(`id "${id}" is already the id of row ${first}: give each case its own id`);
    firstRowOf.set(id, row);
    if (trueVolume !== null && !(Number.isFinite(trueVolume) && trueVolume > 0))
      return bad(`true_volume_ml "${trueText}" is not a volume in mL (a number > 0), nor empty`);
    try {
      return caseFromRecord(record, id, base, trueVolumeMl);
    } catch (error) {
      return bad((error as Error).message);
    }
  });
  return { rows, hasTrueVolume: header.includes('true_volume_ml') };
}

/** Read an index whose every row must be a case (the bundled samples): a bad row is refused. */
export async function readCaseIndex(indexPath: string): Promise<CaseIndex> {
  const { rows, hasTrueVolume } = await readCaseIndexRows(indexPath);
  const bad = rows.find(isBadCaseRow);
  if (bad) throw new SpvError('bad-input', bad.error);
  return { rows: rows.filter((row): row is CaseRow => !isBadCaseRow(row)), hasTrueVolume };
}
