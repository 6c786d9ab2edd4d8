/**
 * What the commands over the cases database (case, session, import, report) read from their
 * arguments alike: --data-dir with its default, --help, and the ids they are given. One place, so
 * that the commands cannot come to disagree on the default folder or on what an id is.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { defaultDataDir } from '../store/data-dir';
import { engineOptionSpecs } from './engine-options';
import { EXIT, UsageError } from './usage';

/** The options every store command takes besides its own (the engine's: for its estimates). */
const storeCommandOptionSpecs = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...engineOptionSpecs,
} as const satisfies ParseArgsConfig['options'];

/**
 * A store command's arguments: its own options and the ones every store command takes. Strict:
 * an unknown option or one without its value is a usage error (asUsageError), never ignored.
 */
export function parseStoreCommandArgs<const T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { ...options, ...storeCommandOptionSpecs },
  });
}

/** The database folder: --data-dir DIR, else the default one. */
export function dataDirOf(values: { 'data-dir'?: string }): string {
  return values['data-dir'] ?? defaultDataDir();
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
  return action === undefined ? EXIT.usage : EXIT.ok;
}
