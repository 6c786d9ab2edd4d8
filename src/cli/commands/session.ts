/**
 * `spv session create --reader NAME CASE… [--title T]`, `spv session list`,
 * `spv session show SESSION`, `spv session export SESSION --out DIR` (all with --data-dir DIR).
 */
import { isSpvError } from '../../api/errors';
import { INPUTS_NOT_CHECKED } from '../../clinical/check-first';
import { defaultDataDir } from '../../store/data-dir';
import { CaseStore } from '../../store/store';
import { createStoreService } from '../../store-service/service';
import { sessionDetail } from '../../store-service/summaries';
import { engineFromArgs } from '../engine-options';
import { cannotWrite, checkOutputFolder, whyNotWritable } from '../output-path';
import {
  actionUsageExit,
  existingDataDirOf,
  idArgument,
  parseStoreCommandArgs,
} from '../store-command-args';
import { EXIT, UsageError } from '../usage';

export const SESSION_USAGE = `Usage: spv session create --reader NAME CASE… [--title TITLE] [--data-dir DIR]
       spv session list [--data-dir DIR]
       spv session show SESSION [--data-dir DIR]
       spv session export SESSION --out DIR [--anonymise] [--data-dir DIR]
  export writes summary.csv (a row per case in worklist order), the Bland–Altman plots (PNG) and
  each estimated case's PDF report;
  --anonymise replaces patient and case ids and readers' names by pseudonyms keyed with this
  database's secret (the same reader is the same "Reader 3f9a2c" in every export from this
  database), leaves titles, flag comments and sign-off times out, and writes anonymised reports.
  --data-dir DIR   the database folder (default: ${defaultDataDir()})`;

const id = (text: string | undefined, what: 'case' | 'session'): number =>
  Number(idArgument(text, what));

/** The one session id of show and export: a second one is a usage error, not ignored. */
function oneSessionId(ids: string[]): number {
  if (ids.length > 1)
    throw new UsageError(`give one session id, got also "${ids.slice(1).join(' ')}"`);
  return id(ids[0], 'session');
}

export async function run(argv: string[]): Promise<number> {
  // The action is the first word that is not an option: `spv session --data-dir DIR list` works.
  const { values, positionals: words } = parseStoreCommandArgs(argv, {
    out: { type: 'string', short: 'o' },
    reader: { type: 'string' },
    title: { type: 'string' },
    anonymise: { type: 'boolean', default: false },
  });
  const [action, ...positionals] = words;
  const usageExit = actionUsageExit(SESSION_USAGE, action, values.help);
  if (usageExit !== null) return usageExit;
  if (!['create', 'list', 'show', 'export'].includes(action))
    throw new UsageError(`unknown session action "${action}" (create, list, show or export)`);
  if (action === 'export') {
    const sessionId = oneSessionId(positionals);
    if (!values.out) throw new UsageError('give the output folder with --out DIR');
    const nothingDone = 'Nothing was exported.';
    checkOutputFolder(values.out, nothingDone);
    const dataDir = existingDataDirOf(values);
    const engine = await engineFromArgs(values);
    const service = createStoreService({ dataDir, engine });
    try {
      const files = await service.exportSessionTo(sessionId, values.out, values.anonymise);
      for (const f of files) process.stdout.write(`${f.path}\n`);
    } catch (error) {
      // A folder that cannot be made or written (no permission, a full disk): exit 3, said plainly.
      if (isSpvError(error) || (error as NodeJS.ErrnoException | null)?.syscall === undefined)
        throw error;
      throw cannotWrite(
        values.out,
        whyNotWritable(error),
        'give --out a folder you can write to',
        '',
        error,
      );
    } finally {
      service.close();
      await engine.close();
    }
    return EXIT.ok;
  }
  // Every argument is checked (a usage error, exit 2) before the database is looked for.
  let created: { reader: string; caseIds: number[]; title: string } | null = null;
  let shown: number | null = null;
  if (action === 'create') {
    const reader = values.reader?.trim();
    if (!reader) throw new UsageError('give the reader with --reader NAME');
    if (positionals.length === 0) throw new UsageError('give the case ids to review');
    // A case given twice is reviewed once: the count said must be the session's.
    const caseIds = [...new Set(positionals.map((p) => id(p, 'case')))];
    const title =
      values.title ?? `Review ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    created = { reader, caseIds, title };
  } else if (action === 'show') {
    shown = oneSessionId(positionals);
  } else if (positionals.length > 0) {
    throw new UsageError(`spv session list takes no argument, got "${positionals.join(' ')}"`);
  }
  const dataDir = existingDataDirOf(values);
  const store = CaseStore.open(dataDir);
  try {
    if (created) {
      const sessionId = store.createSession(created.reader, created.caseIds, created.title);
      process.stdout.write(
        `Session ${sessionId}: ${created.caseIds.length} case(s) for ${created.reader}\n`,
      );
    } else if (shown === null) {
      const sessions = store.listSessions();
      // Said on stderr: the list itself (stdout) stays empty for scripts.
      if (sessions.length === 0)
        process.stderr.write(`No review sessions in ${dataDir} yet (spv session create).\n`);
      for (const s of sessions) {
        process.stdout.write(
          `${s.id}\t${s.createdAt}\t${s.reader}\t${s.title}\t${store.sessionCases(s.id).length} case(s)\n`,
        );
      }
    } else {
      const detail = sessionDetail(store, shown);
      process.stdout.write(
        `Session ${detail.sessionId} "${detail.title}" — reader ${detail.reader}\n`,
      );
      for (const e of detail.worklist) {
        const c = e.case;
        const volume = c.volumeMl === null ? '—' : `${c.volumeMl.toFixed(1)} mL`;
        // As the worklist says it: what the volume rests on, or that a sign-off confirmed it.
        const check =
          c.checkFirst.length === 0
            ? ''
            : c.status === 'signed-off' && !c.checkFirst.includes(INPUTS_NOT_CHECKED)
              ? '\tchecked at sign-off'
              : `\t! check first: ${c.checkFirst.join('; ')}`;
        process.stdout.write(
          `  ${c.caseId}\t${c.status}\t${volume}\t${(e.timeSpentMs / 1000).toFixed(0)} s\t${c.title}${check}\n`,
        );
      }
    }
  } finally {
    store.close();
  }
  return EXIT.ok;
}
