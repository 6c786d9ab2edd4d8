/**
 * The store commands (case, session, import, report) read --data-dir, --help and the ids they are
 * given through one helper (src/cli/store-command-args.ts): what each command answers to a missing
 * or malformed id, to --help and to no action at all is pinned here, run in-process on a real
 * (empty) database folder. None of these reach the models.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CASE_USAGE, run as runCase } from '../../src/cli/commands/case';
import { IMPORT_USAGE, run as runImport } from '../../src/cli/commands/import';
import { REPORT_USAGE, run as runReport } from '../../src/cli/commands/report';
import { SESSION_USAGE, run as runSession } from '../../src/cli/commands/session';
import { dataDirOf, idArgument } from '../../src/cli/store-command-args';
import { EXIT, UsageError, asUsageError } from '../../src/cli/usage';
import { defaultDataDir } from '../../src/store/data-dir';

let dir: string;
let stdout: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-core-dedup-cli-'));
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function usageErrorOf(run: Promise<number>): Promise<string> {
  const error: unknown = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('store command ids', () => {
  it('a case id must be given, and be a number', async () => {
    expect(await usageErrorOf(runCase(['swap-views', '--reader', 'dr. a']))).toBe(
      'give the case id (a number)',
    );
    expect(await usageErrorOf(runCase(['swap-views', 'x7', '--reader', 'dr. a']))).toBe(
      'give the case id (a number), got "x7"',
    );
    expect(await usageErrorOf(runCase(['swap-views', '3', '4', '--reader', 'dr. a']))).toBe(
      'give one case id, got also "4"',
    );
  });

  it('a session id and the case ids of a new session are numbers', async () => {
    const dataDir = ['--data-dir', dir];
    expect(await usageErrorOf(runSession(['export', '--out', dir, ...dataDir]))).toBe(
      'give the session id (a number)',
    );
    expect(await usageErrorOf(runSession(['show', 'last', ...dataDir]))).toBe(
      'give the session id (a number), got "last"',
    );
    expect(
      await usageErrorOf(runSession(['create', '--reader', 'dr. a', '2', 'two', ...dataDir])),
    ).toBe('give the case id (a number), got "two"');
  });

  it('idArgument keeps the id as given', () => {
    expect(idArgument('007', 'case')).toBe('007');
    expect(() => idArgument('', 'session')).toThrow('give the session id (a number)');
    expect(() => idArgument('-1', 'case')).toThrow('give the case id (a number), got "-1"');
  });
});

describe('store command help and data folder', () => {
  it('an action command shows its usage: asked for (exit 0) or without an action (exit 2)', async () => {
    for (const [run, usage] of [
      [runCase, CASE_USAGE],
      [runSession, SESSION_USAGE],
    ] as const) {
      for (const [argv, exit] of [
        [[], EXIT.usage],
        [['--help'], EXIT.ok],
        [['-h'], EXIT.ok],
        [['list', '--help'], EXIT.ok],
      ] as const) {
        stdout = [];
        expect(await run([...argv])).toBe(exit);
        expect(stdout.join('')).toBe(`${usage}\n`);
      }
    }
  });

  it('import and report show their usage on --help', async () => {
    for (const [run, usage] of [
      [runImport, IMPORT_USAGE],
      [runReport, REPORT_USAGE],
    ] as const) {
      stdout = [];
      expect(await run(['--help'])).toBe(EXIT.ok);
      expect(stdout.join('')).toBe(`${usage}\n`);
    }
  });

  it('an unknown option or one without its value is refused, by every store command', async () => {
    for (const [run, argv] of [
      [runCase, ['swap-views', '3']],
      [runSession, ['list']],
      [runImport, ['in.png']],
      [runReport, ['3']],
    ] as const) {
      const unknown: unknown = await run([...argv, '--bogus']).catch((e: unknown) => e);
      expect(asUsageError(unknown)?.message).toMatch(/Unknown option '--bogus'/);
      const valueless: unknown = await run([...argv, '--data-dir']).catch((e: unknown) => e);
      expect(asUsageError(valueless)?.message).toMatch(/--data-dir/);
    }
  });

  it('--data-dir names the database folder, else the default one', () => {
    expect(dataDirOf({ 'data-dir': dir })).toBe(dir);
    expect(dataDirOf({})).toBe(defaultDataDir());
  });
});
