/**
 * `spv session create --reader NAME CASE… [--title T]`, `spv session list`,
 * `spv session show SESSION`, `spv session export SESSION --out DIR` (all with --data-dir DIR).
 */
import { INPUTS_NOT_CHECKED } from '../../clinical/check-first';
import { defaultDataDir } from '../../store/data-dir';
import { CaseStore } from '../../store/store';
import { createStoreService } from '../../store-service/service';
import { sessionDetail } from '../../store-service/summaries';
import { engineFromArgs } from '../engine-options';
import {
  actionUsageExit,
  dataDirOf,
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

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseStoreCommandArgs(rest, {
    out: { type: 'string', short: 'o' },
    reader: { type: 'string' },
    title: { type: 'string' },
    anonymise: { type: 'boolean', default: false },
  });
  const usageExit = actionUsageExit(SESSION_USAGE, action, values.help);
  if (usageExit !== null) return usageExit;
  const dataDir = dataDirOf(values);
  if (action === 'export') {
    const sessionId = id(positionals[0], 'session');
    if (!values.out) throw new UsageError('give the output folder with --out DIR');
    const engine = await engineFromArgs(values);
    const service = createStoreService({ dataDir, engine });
    try {
      const files = await service.exportSessionTo(sessionId, values.out, values.anonymise);
      for (const f of files) process.stdout.write(`${f.path}\n`);
    } finally {
      service.close();
      await engine.close();
    }
    return EXIT.ok;
  }
  const store = CaseStore.open(dataDir);
  try {
    if (action === 'create') {
      if (!values.reader?.trim()) throw new UsageError('give the reader with --reader NAME');
      if (positionals.length === 0) throw new UsageError('give the case ids to review');
      const caseIds = positionals.map((p) => id(p, 'case'));
      const title =
        values.title ?? `Review ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
      const sessionId = store.createSession(values.reader.trim(), caseIds, title);
      process.stdout.write(
        `Session ${sessionId}: ${caseIds.length} case(s) for ${values.reader.trim()}\n`,
      );
    } else if (action === 'list') {
      for (const s of store.listSessions()) {
        process.stdout.write(
          `${s.id}\t${s.createdAt}\t${s.reader}\t${s.title}\t${store.sessionCases(s.id).length} case(s)\n`,
        );
      }
    } else if (action === 'show') {
      const detail = sessionDetail(store, id(positionals[0], 'session'));
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
    } else {
      throw new UsageError(`unknown session action "${action}" (create, list, show or export)`);
    }
  } finally {
    store.close();
  }
  return EXIT.ok;
}
