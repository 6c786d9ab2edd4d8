/**
 * `spv case swap-views CASE --reader NAME [--data-dir DIR]`: puts right a stored case imported
 * with its coronal and transverse images named the wrong way round (StoreApi.swapViews), which a
 * re-import of the right names cannot (the files are recognised as duplicates).
 */
import { VIEWS_LOOK_SWAPPED } from '../../clinical/check-first';
import { defaultDataDir } from '../../store/data-dir';
import { createStoreService } from '../../store-service/service';
import { engineFromArgs } from '../engine-options';
import {
  actionUsageExit,
  existingDataDirOf,
  idArgument,
  parseStoreCommandArgs,
} from '../store-command-args';
import { EXIT, UsageError } from '../usage';

export const CASE_USAGE = `Usage: spv case swap-views CASE --reader NAME [--force] [--data-dir DIR]
  swap-views   the image labelled coronal becomes the transverse one and vice versa, each with its
               own file, calibration and outlines; the case gets a new estimate (the reader's
               caliper lines are dropped: they were drawn for the other view). For a pair imported
               named the wrong way round ("views look swapped"). Refused on a signed-off case
               (unlock it first) and on a case with one view. Recorded in the audit log.
  --reader NAME    who swaps the views, for the audit log
  --force          swap although the case's estimate does not say its views look swapped
  --data-dir DIR   the database folder (default: ${defaultDataDir()})
  --models DIR, --provider LIST, --threads N   as for spv estimate (the new estimate runs the models)`;

export async function run(argv: string[]): Promise<number> {
  // The action is the first word that is not an option: `spv case --data-dir DIR swap-views 3`.
  const { values, positionals: words } = parseStoreCommandArgs(argv, {
    reader: { type: 'string' },
    force: { type: 'boolean' },
  });
  const [action, ...positionals] = words;
  const usageExit = actionUsageExit(CASE_USAGE, action, values.help);
  if (usageExit !== null) return usageExit;
  if (action !== 'swap-views') throw new UsageError(`unknown case action "${action}" (swap-views)`);
  const [given, ...extra] = positionals;
  const caseId = idArgument(given, 'case');
  if (extra.length > 0) throw new UsageError(`give one case id, got also "${extra.join(' ')}"`);
  const reader = values.reader?.trim();
  if (!reader)
    throw new UsageError('give the reader with --reader NAME (it goes in the audit log)');
  const dataDir = existingDataDirOf(values);
  const engine = await engineFromArgs(values);
  const service = createStoreService({ dataDir, engine });
  try {
    // No dialog asks again here: a case whose estimate does not say its views look swapped (a
    // mistyped case id, a second run) is swapped only when the reader insists.
    const before = (await service.getCase({ caseId })).summary;
    const twoViews = before.views.includes('coronal') && before.views.includes('transverse');
    if (twoViews && !values.force && !before.checkFirst.includes(VIEWS_LOOK_SWAPPED))
      throw new UsageError(
        `case ${caseId} (${before.title}): its latest estimate does not say its views look swapped; check the images, and give --force to swap them all the same`,
      );
    const summary = await service.swapViews({ caseId, reader });
    const volume =
      summary.volumeMl === null
        ? 'no volume (not calibrated)'
        : `${summary.volumeMl.toFixed(1)} mL (95% CI ${summary.ci95Ml![0].toFixed(0)}–${summary.ci95Ml![1].toFixed(0)})`;
    process.stdout.write(`Case ${summary.caseId} (${summary.title}): views swapped; ${volume}\n`);
    if (summary.checkFirst.length > 0)
      process.stdout.write(`  check first: ${summary.checkFirst.join('; ')}\n`);
  } finally {
    service.close();
    await engine.close();
  }
  return EXIT.ok;
}
