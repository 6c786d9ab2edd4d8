/**
 * An export folder is always a new one: two exports whose names meet (an anonymised export's
 * random suffix, two at the same millisecond) never share one; the second gets `-2` (never the
 * first's folder, whose summary.csv would refuse it or whose report would be overwritten).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newExportFolder } from '../../src/store-service/exports';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-exports-leftover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('newExportFolder', () => {
  it('makes the folder, then name-2, name-3 for the same name', () => {
    const parent = join(dir, 'exports');
    const name = 'anonymised-session-3f9a1c';
    const made = [0, 1, 2].map(() => newExportFolder(parent, name));
    expect(made).toEqual([name, `${name}-2`, `${name}-3`].map((n) => join(parent, n)));
    for (const folder of made) expect(readdirSync(folder)).toEqual([]);
  });

  it('passes over a file of the name too, and leaves what is there alone', () => {
    const name = 'anonymised-report-3f9a1c';
    writeFileSync(join(dir, name), 'not a folder');
    const folder = newExportFolder(dir, name);
    expect(folder).toBe(join(dir, `${name}-2`));
    expect(existsSync(join(dir, name))).toBe(true);
  });
});
