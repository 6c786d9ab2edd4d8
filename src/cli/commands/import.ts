/** `spv import PATH… [--data-dir DIR]`: import images and folders into the cases database. */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../store/data-dir';
import type { ImportReport } from '../../api/store-contract';
import { importPaths, type ImportProgress } from '../../store/import';
import { createStoreService } from '../../store-service/service';
import { engineFromArgs, engineOptionSpecs } from '../engine-options';
import { CaseStore } from '../../store/store';
import { ProgressBar } from '../progress';
import { EXIT, UsageError, parseNonNegativeInteger } from '../usage';

export const IMPORT_USAGE = `Usage: spv import PATH… [--data-dir DIR] [--ai] [--frame N]
  Imports PNG/JPEG/DICOM files and folders (recursively) into the cases database.
  DICOM images are grouped by StudyInstanceUID; <x>_coronal.png + <x>_transverse.png make one case.
  Duplicates (same SOP Instance UID or same content) are skipped; bad files are listed with the reason.
  --data-dir DIR   the database folder (default: ${defaultDataDir()})
  --ai             also run the AI on every imported case (segmentation and estimate)
  --frame N        the frame (from 0) to take from every multi-frame DICOM; without it they are
                   refused (single-frame images ignore it)
  --models DIR, --provider LIST, --threads N   as for spv estimate (with --ai)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      ai: { type: 'boolean', default: false },
      frame: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...engineOptionSpecs,
    },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or folder to import');
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const frame = parseNonNegativeInteger('frame', values.frame) ?? null;
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
  if (report.duplicates.length) {
    out.write(`Skipped ${report.duplicates.length} duplicate(s):\n`);
    for (const d of report.duplicates) out.write(`  ${d.path}: ${d.reason}\n`);
  }
  if (report.skipped.length) {
    out.write(`Skipped ${report.skipped.length} file(s) that are not ultrasound images:\n`);
    for (const s of report.skipped) out.write(`  ${s.path}: ${s.reason}\n`);
  }
  if (report.failed.length) {
    process.stderr.write(`${report.failed.length} problem(s):\n`);
    for (const f of report.failed) {
      // The decoder's messages already start with the file's path.
      process.stderr.write(
        `  ${f.reason.startsWith(f.path) ? f.reason : `${f.path}: ${f.reason}`}\n`,
      );
    }
  }
  const nothingUsable = report.imported.length === 0 && report.duplicates.length === 0;
  // Nothing taken from what was given, and something refused or passed over: say so in the exit.
  const refused = report.failed.length + report.skipped.length;
  return nothingUsable && refused > 0 ? EXIT.badInput : EXIT.ok;
}
