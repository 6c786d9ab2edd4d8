/** `spv import PATH… [--data-dir DIR]`: import images and folders into the cases database. */
import { defaultDataDir } from '../../store/data-dir';
import type { ImportAiResult, ImportReport } from '../../api/store-contract';
import { importPaths, type ImportProgress } from '../../store/import';
import { createStoreService } from '../../store-service/service';
import { engineFromArgs } from '../engine-options';
import { checkFirstText, intervalText, ml, modelText, verdictsText } from '../estimate-lines';
import { CaseStore } from '../../store/store';
import { ProgressBar } from '../progress';
import { importDataDirOf, parseStoreCommandArgs } from '../store-command-args';
import { EXIT, UsageError, parseNonNegativeInteger } from '../usage';

export const IMPORT_USAGE = `Usage: spv import PATH… [--data-dir DIR] [--ai] [--frame N]
  Imports PNG/JPEG/DICOM files and folders (recursively) into the cases database.
  DICOM images are grouped by StudyInstanceUID; <x>_coronal.png + <x>_transverse.png make one case.
  Duplicates (same SOP Instance UID or same content) are skipped; bad files are listed with the reason.
  --data-dir DIR   the database folder (default: ${defaultDataDir()})
  --ai             also run the AI on every imported case (segmentation and estimate)
  --frame N        the frame (from 0) to take from every multi-frame DICOM; without it they are
                   refused (single-frame images ignore it)
  --models DIR, --provider LIST, --threads N   as for spv estimate (with --ai)
  With --ai, one line per imported case: its volume with the 95% interval, the model and the
  reference verdicts, or "no volume: <reason>" (an uncalibrated image gets none), and below it
  "check first: …" when the estimate asks to check its inputs or outline before trusting it.
  A file already imported that has moved (the same content, no longer at the path it was imported
  from) is found again: its case reads it from the new place from now on. Such files are listed
  under "Found again after it moved (N):", one "PATH (case N, VIEW), was PREVIOUS-PATH" each.
  Problems go to stderr: files that failed to import ("PATH: reason") and, with --ai, cases the AI
  could not run on ("the AI did not run on case N: reason"; their images were imported).
  Exit status: 0 when everything given was imported (duplicates, files found again after they
  moved and files that are not images are listed, not failures); 3 when any file failed to import
  or the AI failed on any case (the rest is imported all the same; the last line on stderr counts
  the problems), or when nothing was imported or found again and some file was passed over.`;

/** "case 3 sample-01: 62 mL (95% interval 48 mL – 79 mL), dual-view model; normal (…)". */
function aiLines(result: ImportAiResult): string[] {
  const head = `  case ${result.caseId} ${result.title}: `;
  if (result.volumeMl === null || result.ci95Ml === null || result.mode === null)
    return [`${head}no volume: ${result.noVolumeReason ?? 'not estimated'}`];
  const verdicts = verdictsText(result.classification, result.checkFirst);
  const lines = [
    `${head}${ml(result.volumeMl)} (${intervalText(result.ci95Ml)}), ${modelText(result.mode)}${verdicts ? `; ${verdicts}` : ''}`,
  ];
  if (result.checkFirst.length > 0) lines.push(`    ${checkFirstText(result.checkFirst)}`);
  return lines;
}

/** What became of the files of an import with problems, for its last line. */
function importedText(report: ImportReport): string {
  // Only the AI failed: every file was taken, and saying "the rest" would suggest otherwise.
  if (report.failed.length === 0) return 'no file failed to import';
  return report.imported.length > 0 ? 'the rest was imported' : 'nothing new was imported';
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseStoreCommandArgs(argv, {
    ai: { type: 'boolean', default: false },
    frame: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or folder to import');
  const frame = parseNonNegativeInteger('frame', values.frame) ?? null;
  const dataDir = importDataDirOf(values);
  const bars: ProgressBar[] = [];
  let current = '';
  // Called before each file (done = files finished so far) and once at the end.
  const onProgress = ({ done, total, path }: ImportProgress) => {
    if (bars.length === 0) bars.push(new ProgressBar(total, process.stderr));
    if (done > 0) bars[0].tick(current);
    current = path.split(/[\\/]/).pop() ?? '';
  };
  let report: ImportReport;
  if (values.ai) {
    const engine = await engineFromArgs(values);
    const service = createStoreService({ dataDir, engine, onImportProgress: onProgress });
    try {
      report = await service.importPaths({ paths: positionals, runAi: true, frame });
    } finally {
      service.close();
      await engine.close();
    }
  } else {
    const store = CaseStore.open(dataDir);
    try {
      report = await importPaths(store, positionals, { actor: 'spv import', onProgress, frame });
    } finally {
      store.close();
    }
  }
  bars[0]?.done();
  const out = process.stdout;
  out.write(`Imported ${report.imported.length} image(s) into ${report.caseIds.length} case(s)`);
  out.write(report.caseIds.length ? `: case ${report.caseIds.join(', ')}\n` : '\n');
  for (const result of report.ai ?? []) for (const line of aiLines(result)) out.write(`${line}\n`);
  if (report.relocated.length) {
    out.write(`Found again after it moved (${report.relocated.length}):\n`);
    for (const r of report.relocated)
      out.write(`  ${r.path} (case ${r.caseId}, ${r.view}), was ${r.previousPath}\n`);
  }
  if (report.duplicates.length) {
    out.write(`Skipped ${report.duplicates.length} duplicate(s):\n`);
    for (const d of report.duplicates) out.write(`  ${d.path}: ${d.reason}\n`);
  }
  if (report.skipped.length) {
    out.write(`Skipped ${report.skipped.length} file(s) that are not ultrasound images:\n`);
    for (const s of report.skipped) out.write(`  ${s.path}: ${s.reason}\n`);
  }
  const problems = report.failed.length + report.aiFailed.length;
  if (problems > 0) {
    process.stderr.write(`${problems} problem(s):\n`);
    for (const f of report.failed) {
      // The decoder's messages already start with the file's path.
      process.stderr.write(
        `  ${f.reason.startsWith(f.path) ? f.reason : `${f.path}: ${f.reason}`}\n`,
      );
    }
    for (const a of report.aiFailed)
      process.stderr.write(`  the AI did not run on case ${a.caseId}: ${a.reason}\n`);
  }
  const nothingUsable =
    report.imported.length === 0 && report.duplicates.length === 0 && report.relocated.length === 0;
  if (problems > 0) {
    // A script importing a day's studies must learn that some did not make it (as `spv batch`
    // says of failed rows), without the rest being undone.
    process.stderr.write(
      `spv import: ${problems} problem(s), listed above; ${importedText(report)}.\n`,
    );
    return EXIT.badInput;
  }
  // Nothing taken from what was given, and something passed over: say so in the exit.
  return nothingUsable && report.skipped.length > 0 ? EXIT.badInput : EXIT.ok;
}
