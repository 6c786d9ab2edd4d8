/**
 * `spv import --ai` of a view added to a case the AI has run on (import-later): the line it prints
 * for the case is the new, two-view volume, not the single view's from the first import (built
 * CLI, real store and models).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)('spv import --ai of a view added later', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'spv-cli-import-later-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Copies `sample-03_<view>.png` and its sidecar into `folder`; returns the PNG's path. */
  const copyView = (folder: string, view: 'coronal' | 'transverse'): string => {
    for (const ext of ['png', 'json'])
      copyFileSync(
        join(SAMPLES_DIR, `sample-03_${view}.${ext}`),
        join(folder, `sample-03_${view}.${ext}`),
      );
    return join(folder, `sample-03_${view}.png`);
  };

  it('prints the dual-view volume once the transverse view is imported', async () => {
    const folder = join(dir, 'study');
    mkdirSync(folder);
    const dataDir = join(dir, 'data');
    const first = await runSpv([
      'import',
      copyView(folder, 'coronal'),
      '--ai',
      '--data-dir',
      dataDir,
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ {2}case 1 sample-03: \d+ mL .*single-view model/m);

    const later = await runSpv([
      'import',
      copyView(folder, 'transverse'),
      '--ai',
      '--data-dir',
      dataDir,
    ]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/^Imported 1 image\(s\) into 1 case\(s\)/);
    expect(later.stdout).toMatch(/^ {2}case 1 sample-03: \d+ mL .*dual-view model/m);
  });
});
