/**
 * What the commands over the cases database (case, session, import, report) read from their
 * arguments alike: --data-dir with its default, --help, and the ids they are given. One place, so
 * that the commands cannot come to disagree on the default folder or on what an id is.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SpvError } from '../api/errors';
import { DATABASE_FILE_NAME, databasePathFor } from '../store/database';
import { defaultDataDir } from '../store/data-dir';
import { engineOptionSpecs, sessionOptionsFromArgs } from './engine-options';
import { EXIT, UsageError, refuseEmptyOptions } from './usage';

/** The options every store command takes besides its own (the engine's: for its estimates). */
const storeCommandOptionSpecs = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...engineOptionSpecs,
} as const satisfies ParseArgsConfig['options'];

/**
 * A store command's arguments: its own options and the ones every store command takes. Strict:
 * an unknown option, one without its value or one given an empty value, and a bad --provider or
 * --threads, is a usage error (asUsageError), never ignored.
 */
export function parseStoreCommandArgs<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) {
  const parsed = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...options, ...storeCommandOptionSpecs },
  });
  refuseEmptyOptions(parsed.values);
  // A bad --provider or --threads is a usage error even where this run loads no model (spv import
  // without --ai, spv session list): a typo in a script must show before the day it matters.
  sessionOptionsFromArgs(parsed.values);
  return parsed;
}

/** The database folder: --data-dir DIR, else the default one. */
export function dataDirOf(values: { 'data-dir'?: string }): string {
  return values['data-dir'] ?? defaultDataDir();
}

/**
 * The database folder of a command that reads stored cases or sessions: one without a database
 * (a mistyped --data-dir) is refused, not quietly given a new empty database that lists nothing.
 */
export function existingDataDirOf(values: { 'data-dir'?: string }): string {
  const dataDir = dataDirOf(values);
  if (!existsSync(databasePathFor(dataDir))) {
    throw new SpvError(
      'not-found',
      `There is no cases database in ${dataDir} (no ${DATABASE_FILE_NAME} there): ` +
        `${values['data-dir'] === undefined ? 'give the folder of your database with --data-dir DIR' : 'check --data-dir'}, ` +
        'or import images first (spv import PATH… creates the database).',
    );
  }
  return dataDir;
}

/**
 * The database folder of `spv import`, made when missing: a file of that name is refused with the
 * reason, not left to fail as "unexpected failure" with a stack trace when the folder is made.
 */
export function importDataDirOf(values: { 'data-dir'?: string }): string {
  const dataDir = dataDirOf(values);
  let isFile = false;
  try {
    isFile = !statSync(dataDir).isDirectory();
  } catch {
    // Missing: the store makes it.
  }
  if (isFile)
    throw new SpvError(
      'bad-input',
      `--data-dir ${dataDir} is a file, not a folder: give the folder of the cases database (it is made when missing). Nothing was imported.`,
    );
  return dataDir;
}

/**
 * The id of a stored case or session as given (a case id is a row of the database: a number),
 * or a usage error that says which id is missing or what was given instead.
 */
export function idArgument(text: string | undefined, what: 'case' | 'session'): string {
  if (!text || !/^\d+$/.test(text))
    throw new UsageError(`give the ${what} id (a number)${text ? `, got "${text}"` : ''}`);
  return text;
}

/**
 * For a command with actions (`spv case swap-views …`): when help is asked for (--help or -h,
 * first or among the options) or no action is given, writes the usage to stdout and returns the
 * exit status (a usage error without an action); else null, and the command goes on.
 */
export function actionUsageExit(
  usage: string,
  action: string | undefined,
  help: boolean | undefined,
): number | null {
  if (action !== undefined && action !== '--help' && action !== '-h' && !help) return null;
  process.stdout.write(`${usage}\n`);
  return action === undefined && !help ? EXIT.usage : EXIT.ok;
}
