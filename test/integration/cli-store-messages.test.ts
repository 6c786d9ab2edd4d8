/**
 * Store messages reach `spv` users too: what they ask the reader to do names the command line's
 * way where there is one, and says so where only the app can do it (built CLI, real store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)('store-messages through spv', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'spv-cli-store-messages-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A folder holding the given sample files (with their sidecars), under the same names. */
  function folderWith(name: string, samples: string[]): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    for (const sample of samples)
      for (const file of [sample, sample.replace(/\.png$/, '.json')])
        copyFileSync(join(SAMPLES_DIR, file), join(folder, file));
    return folder;
  }

  it('a case without a coronal image: import one, in the app or with spv import', async () => {
    const dataDir = join(dir, 'data-no-coronal');
    const folder = folderWith('transverse-only', ['sample-01_transverse.png']);
    const imported = await runSpv(['import', folder, '--data-dir', dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const report = await runSpv([
      'report',
      '1',
      '--out',
      join(dir, 'r.pdf'),
      '--data-dir',
      dataDir,
    ]);
    expect(report.code).toBe(3);
    expect(report.stderr).toBe(
      'spv report: Case 1 has no coronal image: import one first (…_coronal.png or a DICOM of ' +
        'its study: Import in the Review tab, or spv import PATH). A <name>_transverse file joins ' +
        "its <name>_coronal's case only from the same folder.\n",
    );
  });

  it('a moved image: put it back, or import it from its new place, where it is found again', async () => {
    const dataDir = join(dir, 'data-moved');
    const folder = folderWith('moved', ['sample-02_coronal.png', 'sample-02_transverse.png']);
    expect((await runSpv(['import', folder, '--data-dir', dataDir])).code).toBe(0);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    renameSync(
      join(folder, 'sample-02_transverse.png'),
      join(elsewhere, 'sample-02_transverse.png'),
    );

    const reportArgs = ['report', '1', '--out', join(dir, 'm.pdf'), '--data-dir', dataDir];
    const report = await runSpv(reportArgs);
    expect(report.code).toBe(3);
    expect(report.stderr).toMatch(
      /^spv report: The transverse image of case 1 is no longer at .*sample-02_transverse\.png, where it was imported from: put the file back there, or import it from where it is now \(the same file is found again\)\.\n$/,
    );
    // What the message says of importing it again from its new place holds: the case reads it
    // from there, and its report is made.
    const again = await runSpv(['import', elsewhere, '--data-dir', dataDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Imported 0 image\(s\) into 0 case\(s\)/);
    expect(again.stdout).toContain(
      `Found again after it moved (1):\n  ${join(elsewhere, 'sample-02_transverse.png')} (case 1, transverse), was ${join(folder, 'sample-02_transverse.png')}\n`,
    );
    // Not a copy left out: no duplicate is listed.
    expect(again.stdout).not.toMatch(/duplicate/);
    const reported = await runSpv(reportArgs);
    expect(reported.code, reported.stderr).toBe(0);
  });
});
