/**
 * `spv case swap-views`: the command line puts right a case imported with its views named the wrong
 * way round, and refuses what it cannot do with the reason (built CLI, real store and models).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';
import { copySwappedSample } from './store-engine-harness';

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)('spv case swap-views', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'spv-cli-swap-'));
    dataDir = join(dir, 'data');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('swaps the views of a case imported the wrong way round, with a new estimate', async () => {
    const folder = join(dir, 'swapped');
    mkdirSync(folder);
    copySwappedSample(folder);
    const imported = await runSpv(['import', folder, '--ai', '--data-dir', dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const caseId = /case (\d+)/.exec(imported.stdout)![1];
    // The session's list says it, as the worklist does.
    const session = ['session', 'create', '--reader', 'Dr CLI', caseId, '--data-dir', dataDir];
    expect((await runSpv(session)).code).toBe(0);
    const show = () => runSpv(['session', 'show', '1', '--data-dir', dataDir]);
    expect((await show()).stdout).toMatch(/sample-05\t! check first: views look swapped/);

    const swapped = await runSpv([
      'case',
      'swap-views',
      caseId,
      '--reader',
      'Dr CLI',
      '--data-dir',
      dataDir,
    ]);
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.stdout).toMatch(
      new RegExp(
        `^Case ${caseId} \\(sample-05\\): views swapped; \\d+\\.\\d mL \\(95% CI \\d+–\\d+\\)`,
      ),
    );
    expect(swapped.stdout).not.toMatch(/views look swapped/);
    expect((await show()).stdout).not.toMatch(/check first/);
    const store = CaseStore.open(dataDir);
    try {
      const coronal = store.images(Number(caseId)).find((i) => i.view === 'coronal');
      expect(coronal?.originalPath).toMatch(/sample-05_transverse\.png$/);
      const log = store.auditLog(Number(caseId));
      const swap = log.findIndex((e) => e.action === 'case.swap-views');
      expect(log[swap]).toMatchObject({ actor: 'Dr CLI' });
      // The new estimate is saved after the swap.
      expect(log.slice(swap).map((e) => e.action)).toContain('estimate.save');
    } finally {
      store.close();
    }

    // Swapping back a case whose views are now right needs --force: no dialog asks again here.
    const again = ['case', 'swap-views', caseId, '--reader', 'Dr CLI', '--data-dir', dataDir];
    const refused = await runSpv(again);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/does not say its views look swapped.*give --force/);
    const forced = await runSpv([...again, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/check first: views look swapped/);
  });

  it('refuses a one-view case (exit 3) and a missing reader (exit 2), saying why', async () => {
    const folder = join(dir, 'single');
    mkdirSync(folder);
    copyFileSync(join(SAMPLES_DIR, 'sample-01_coronal.png'), join(folder, 'sample-01_coronal.png'));
    const imported = await runSpv(['import', folder, '--data-dir', dataDir]);
    const caseId = /case (\d+)/.exec(imported.stdout)![1];
    const single = await runSpv([
      'case',
      'swap-views',
      caseId,
      '--reader',
      'Dr CLI',
      '--data-dir',
      dataDir,
    ]);
    expect(single.code).toBe(3);
    expect(single.stderr).toMatch(
      /has only a coronal image: there is no other view to swap it with/,
    );
    const noReader = await runSpv(['case', 'swap-views', caseId, '--data-dir', dataDir]);
    expect(noReader.code).toBe(2);
    expect(noReader.stderr).toMatch(/give the reader with --reader NAME/);
  });
});
