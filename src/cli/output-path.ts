/**
 * The --out of the commands that write files (batch, report, session export): checked before any
 * work, so that a path that cannot be written, or one that would overwrite an input, is refused
 * with a message that names it, not found after the work (or as a stack trace, exit 1).
 */
import { statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SpvError } from '../api/errors';

/** Why a path cannot be written, in words, from the error the file system gave. */
export function whyNotWritable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ENOTDIR') return 'a part of its path is a file, not a folder';
  if (code === 'EEXIST') return 'a file of that name is there';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'you may not write there';
  return error instanceof Error ? error.message : String(error);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * "--out PATH cannot be written (why): fix. Nothing done.", the one wording of every --out check
 * (`nothingDone` empty where the work was already done).
 */
export const cannotWrite = (
  out: string,
  why: string,
  fix: string,
  nothingDone: string,
  cause?: unknown,
) =>
  new SpvError(
    'bad-input',
    `--out ${resolve(out)} cannot be written (${why}): ${fix}.${nothingDone ? ` ${nothingDone}` : ''}`,
    cause === undefined ? undefined : { cause },
  );

/**
 * A file --out: its folder must exist and it must not be a folder. `nothingDone` ends the
 * message ("No case was run.").
 */
/** What to do about a file --out that cannot be written. */
export const OUTPUT_FILE_FIX =
  'give --out a file in a folder that exists and that you can write to';

export function checkOutputFile(out: string, nothingDone: string): void {
  const fix = OUTPUT_FILE_FIX;
  const folder = statOrNull(dirname(resolve(out)));
  if (!folder) throw cannotWrite(out, 'its folder does not exist', fix, nothingDone);
  if (!folder.isDirectory())
    throw cannotWrite(out, 'a part of its path is a file, not a folder', fix, nothingDone);
  if (statOrNull(out)?.isDirectory()) throw cannotWrite(out, 'it is a folder', fix, nothingDone);
}

/** A folder --out (created when missing): refused when a file of that name is there. */
export function checkOutputFolder(out: string, nothingDone: string): void {
  const fix = 'give --out a folder (it is created when missing)';
  const there = statOrNull(out);
  if (there && !there.isDirectory())
    throw cannotWrite(out, 'it is a file, not a folder', fix, nothingDone);
  // The nearest existing folder above decides whether the folder can be created.
  let above = dirname(resolve(out));
  while (!statOrNull(above)) above = dirname(above);
  if (!statOrNull(above)?.isDirectory())
    throw cannotWrite(out, 'a part of its path is a file, not a folder', fix, nothingDone);
}

/** Write a file --out, a failure said as bad input (exit 3) with the reason, not a stack trace. */
export function writeOutputFile(out: string, bytes: Uint8Array | string): void {
  try {
    writeFileSync(out, bytes);
  } catch (error) {
    throw cannotWrite(out, whyNotWritable(error), OUTPUT_FILE_FIX, '', error);
  }
}

/**
 * Refuse an --out that is one of the command's inputs (the same file, however named: a link, a
 * relative path): the results would be written over it, and the input lost.
 */
export function refuseOutputOverInput(
  out: string,
  inputs: readonly { path: string; what: string }[],
  nothingDone: string,
): void {
  const target = statOrNull(out);
  if (!target) return;
  for (const input of inputs) {
    const stats = statOrNull(input.path);
    if (stats && stats.dev === target.dev && stats.ino === target.ino) {
      throw new SpvError(
        'bad-input',
        `--out ${resolve(out)} is ${input.what}: the results would be written over it. Give --out another file. ${nothingDone}`,
      );
    }
  }
}
