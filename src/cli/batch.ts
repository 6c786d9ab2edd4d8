/**
 * `spv batch INDEX.csv --out RESULTS.csv`: every case of an index, one result row each. The models
 * load once; a bad row gets its error in its row and the batch goes on.
 */
import { checkFirst } from '../clinical/check-first';
import { withStudyPatient } from '../clinical/study-patient';
import { open, type FileHandle } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FORMULAS } from '../clinical/formulas';
import { formatCsvRow } from '../engine/csv';
import { isBadCaseRow, readCaseIndexRows, type BadCaseRow, type CaseRow } from '../engine/samples';
import { estimateLoadedCase, loadCaseFiles } from './case-files';
import { limitsForCell, verdictsCell } from './format';
import { engineFromArgs, engineOptionSpecs, sessionOptionsFromArgs } from './engine-options';
import { cannotWrite, OUTPUT_FILE_FIX, refuseOutputOverInput, whyNotWritable } from './output-path';
import { ProgressBar } from './progress';
import { EXIT, UsageError, refuseEmptyOptions } from './usage';

export const BATCH_USAGE = `spv batch INDEX.csv --out RESULTS.csv [--models DIR] [--provider cpu|cuda|dml] [--threads N]
             INDEX columns: id,coronal,transverse,spacing_mm,kind[,coronal_frame][,transverse_frame][,true_volume_ml]
             [,age_years][,sex][,height_cm] (paths relative to the CSV; coronal_frame/transverse_frame:
             the frame of a multi-frame DICOM view, from 0; age, sex and height choose the reference
             limits, each one left empty taken from a DICOM coronal view's header, else adult limits).
             A bad row gets its error in the results' error column; the others run.
             Ctrl+C stops after the case in progress: the rows written are kept (exit 130).`;

/**
 * Open the results file before any case runs: a path that cannot be written must not be found
 * only after the whole batch has run.
 */
async function openResults(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (error) {
    throw cannotWrite(path, whyNotWritable(error), OUTPUT_FILE_FIX, 'No case was run.', error);
  }
}

const fixed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '' : value.toFixed(digits);

export async function runBatch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: 'string' }, ...engineOptionSpecs },
  });
  if (positionals.length !== 1) throw new UsageError('spv batch needs exactly one INDEX.csv');
  if (!values.out) throw new UsageError('spv batch needs --out RESULTS.csv');
  refuseEmptyOptions(values);
  sessionOptionsFromArgs(values); // A bad --provider or --threads is a usage error before any work.
  const index = await readCaseIndexRows(positionals[0]);
  refuseOutputOverInput(
    values.out,
    [
      { path: positionals[0], what: 'the index itself' },
      ...index.rows.flatMap((row) =>
        isBadCaseRow(row)
          ? []
          : [row.coronal, row.transverse].filter(Boolean).map((path) => ({
              path: path as string,
              what: `an image of row "${row.id}" of the index`,
            })),
      ),
    ],
    'No case was run.',
  );

  const header = [
    'id',
    'volume_ml',
    'ci_low_ml',
    'ci_high_ml',
    'model',
    'error',
    ...FORMULAS.map((f) => `${f.id}_ml`),
    ...(index.hasTrueVolume ? ['true_volume_ml', 'inside_ci'] : []),
    // What the row's verdicts rest on (views that look swapped, an uncertain AI outline…), '; '-
    // joined as in the session CSV: a column of its own, so that such rows can be filtered.
    'check_first',
    // Last, so the columns keep their places: what the reader must check before trusting
    // a row (uncertain AI outline, mask at the border, far from the training data), ' | '-joined.
    'warnings',
    // Appended after them for the same reason: the reference verdicts ('; '-joined, "normal?"
    // while they rest on something to check) and whom they were decided for.
    'verdicts',
    'limits_for',
  ];
  const started = performance.now();
  let estimated = 0;
  let warned = 0;
  let inside = 0;
  let withTruth = 0;
  const engine = await engineFromArgs(values);
  let results: FileHandle;
  try {
    results = await openResults(values.out);
  } catch (error) {
    await engine.close();
    throw error;
  }
  const progress = new ProgressBar(index.rows.length, process.stderr);
  // Ctrl+C stops the batch after the case in progress, so that its row and the summary are
  // written and the exit says it was stopped; a second Ctrl+C (no handler left) stops at once.
  let stopped = false;
  const stop = () => {
    stopped = true;
    process.stderr.write(
      '\nspv batch: stopping after the case in progress (Ctrl+C again to stop at once)\n',
    );
  };
  process.once('SIGINT', stop);
  let done = 0;
  try {
    // Row by row: what ran is on disk even if the batch is stopped half-way.
    await results.write(`${formatCsvRow(header)}\n`);
    for (const row of index.rows) {
      if (stopped) break;
      progress.tick(row.id);
      await results.write(`${formatCsvRow(await resultRow(row))}\n`);
      done++;
    }
  } finally {
    process.off('SIGINT', stop);
    progress.done();
    await results.close();
    await engine.close();
  }

  const seconds = (performance.now() - started) / 1000;
  const failed = done - estimated;
  const coverage =
    withTruth > 0
      ? `, ${inside}/${withTruth} true volumes inside the 95% interval (${((100 * inside) / withTruth).toFixed(0)}%)`
      : '';
  const cases = stopped
    ? `stopped by Ctrl+C after ${done} of ${index.rows.length} cases (their rows are kept)`
    : `${done} cases`;
  process.stderr.write(
    `spv batch: ${cases}, ${estimated} estimated, ${failed} with errors, ${warned} with warnings${coverage}; ` +
      `${seconds.toFixed(1)} s (${((60 * done) / Math.max(seconds, 1e-9)).toFixed(0)} cases/min) → ${values.out}\n`,
  );
  if (stopped) return EXIT.interrupted;
  return failed === 0 ? EXIT.ok : EXIT.badInput;

  async function resultRow(row: CaseRow | BadCaseRow): Promise<(string | number | null)[]> {
    const truth = index.hasTrueVolume ? [fixed(row.trueVolumeMl), ''] : [];
    const failedRow = (message: string) => [
      row.id,
      '',
      '',
      '',
      '',
      message,
      ...FORMULAS.map(() => ''),
      ...truth,
      '',
      '',
      '',
      '',
    ];
    if (isBadCaseRow(row)) return failedRow(row.error);
    try {
      const views = await loadCaseFiles({ ...row, givenIn: 'index' });
      // The row's inputs, each one it leaves empty from the coronal DICOM's header, as spv
      // estimate and the app take them.
      const { patient, fromHeader } = withStudyPatient(
        row.patient ?? { ageYears: null, sex: null, heightCm: null },
        views.coronal.decoded.meta,
      );
      const estimate = await estimateLoadedCase(engine, views, row.kind, { patient }, 'index');
      estimated++;
      if (estimate.warnings.length > 0) warned++;
      const formulas = FORMULAS.map((f) =>
        fixed(estimate.formulas.find((r) => r.id === f.id)?.volumeMl),
      );
      if (index.hasTrueVolume && row.trueVolumeMl !== null) {
        const hit =
          row.trueVolumeMl >= estimate.ci95Ml[0] && row.trueVolumeMl <= estimate.ci95Ml[1];
        withTruth++;
        if (hit) inside++;
        truth[1] = hit ? 'true' : 'false';
      }
      return [
        row.id,
        fixed(estimate.volumeMl),
        fixed(estimate.ci95Ml[0]),
        fixed(estimate.ci95Ml[1]),
        estimate.model,
        '',
        ...formulas,
        ...truth,
        checkFirst(estimate).join('; '),
        estimate.warnings.join(' | '),
        verdictsCell(estimate),
        limitsForCell(patient, fromHeader),
      ];
    } catch (error) {
      return failedRow(error instanceof Error ? error.message : String(error));
    }
  }
}
