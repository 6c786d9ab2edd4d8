/** The report, import and session commands of the built `spv` CLI, run as child processes. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ensureBuilt } from '../e2e/web-session';

const root = join(__dirname, '../..');
const cli = join(root, 'bin/spv.cjs');
const ready =
  existsSync(join(root, 'models/manifest.json')) &&
  existsSync(join(root, 'models/samples/index.csv'));
if (!ready)
  console.warn(
    'report CLI tests skipped: models/manifest.json or models/samples/ is not there yet',
  );

let dir: string;
function spv(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!ready)('spv report / import / session', () => {
  beforeAll(() => {
    // Build only when dist/ is stale (parallel test files must not race on dist/).
    ensureBuilt();
    if (!existsSync(join(root, 'dist/cli/spv.cjs')))
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'spv-cli-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bundled sample report without a database, with real text and non-blank pages', async () => {
    const out = join(dir, 'sample.pdf');
    const r = spv('report', '--sample', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = execFileSync('pdftotext', [out, '-']).toString().replace(/\s+/g, ' ');
    expect(text).toMatch(/Spleen volume \(DeepSPV, (single|dual)-view\): \d+\.\d mL/);
    expect(text).toMatch(/95% interval \d+\.\d – \d+\.\d mL/);
    expect(text).toContain('sample-03');
    expect(text).toContain('Prassopoulos');
    // Whom the verdicts were decided for: a sample is estimated with no patient inputs.
    expect(text).toContain('Limits for: no age or sex given (adult limits assumed).');
    expect(text).toContain('For research use only');
    execFileSync('pdftoppm', [
      '-r',
      '30',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      out,
      join(dir, 'sample-page'),
    ]);
    const page = readdirSync(dir).find((f) => f.startsWith('sample-page'))!;
    expect((await sharp(join(dir, page)).stats()).channels[0].stdev).toBeGreaterThan(20);
  });

  it('imports the samples, reports a stored case, and exports a session', () => {
    const data = join(dir, 'data');
    const imported = spv('import', join(root, 'models/samples'), '--data-dir', data);
    // The multi-frame sample is refused without --frame: the rest is imported, and the exit says
    // that something was not.
    expect(imported.code).toBe(3);
    expect(imported.stdout).toMatch(/Imported \d+ image\(s\) into \d+ case\(s\)/);
    expect(imported.stderr).toMatch(/sample-multiframe\.dcm: .*3 frames/);
    expect(imported.stderr).toMatch(
      /spv import: 1 problem\(s\), listed above; the rest was imported\.\n$/,
    );

    const pdf = join(dir, 'case1.pdf');
    const report = spv('report', '1', '--data-dir', data, '--out', pdf);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(execFileSync('pdftotext', [pdf, '-']).toString()).toContain('LOCAL-sample-01');

    const created = spv(
      'session',
      'create',
      '--reader',
      'Dr. CLI',
      '1',
      '2',
      '3',
      '--data-dir',
      data,
    );
    expect(created.stdout).toMatch(/^Session 1: 3 case\(s\) for Dr\. CLI/);
    const exportDir = join(dir, 'export');
    const exported = spv('session', 'export', '1', '--out', exportDir, '--data-dir', data);
    expect(exported.code).toBe(0);
    const files = readdirSync(exportDir);
    expect(files).toEqual(
      expect.arrayContaining(['summary.csv', 'bland-altman-ai-vs-final.png', 'report-case-1.pdf']),
    );
    // A second export into the same folder is refused, the first left as it was.
    const again = spv('session', 'export', '1', '--out', exportDir, '--data-dir', data);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already holds summary\.csv/);
  });

  it('answers bad input with exit 3 and usage errors with exit 2', () => {
    const data = join(dir, 'data');
    const missing = spv('report', '999', '--data-dir', data, '--out', join(dir, 'x.pdf'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no case 999/);
    expect(spv('report', '--data-dir', data).code).toBe(2);
    const badId = spv('report', 'abc', '--out', join(dir, 'y.pdf'), '--data-dir', data);
    expect(badId.code).toBe(2);
    // Worded as spv case and spv session word it.
    expect(badId.stderr).toMatch(/give the case id \(a number\), got "abc"/);
    expect(spv('session', 'export', '1', '--data-dir', data).stderr).toMatch(/--out DIR/);
    // An anonymised sample report is refused, not written as a plain one.
    const anonSample = spv('report', '--sample', '--anonymise', '--out', join(dir, 'anon.pdf'));
    expect(anonSample.code).toBe(2);
    expect(anonSample.stderr).toMatch(/a bundled sample has no patient to anonymise/);
    expect(existsSync(join(dir, 'anon.pdf'))).toBe(false);
    const nothing = spv('import', join(dir, 'nowhere'), '--data-dir', data);
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toMatch(/does not exist/);
  });
});
