/**
 * The second audit of the `spv` command line, through the built CLI: what used to give a wrong
 * number, lose a file or fail silently. An empty option value (an unset shell variable) is a usage
 * error, never the bundled sample or frame 0; one picture given as both views is refused; batch's
 * --out may not be its own index; --out problems of report and session export say so (exit 3, no
 * stack trace); a --data-dir without a database is refused, not given a new empty one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvRecords } from '../../src/engine/csv';
import sharp from 'sharp';
import {
  HAVE_MODELS,
  HAVE_SAMPLES,
  MODELS_DIR,
  ROOT,
  SAMPLES_DIR,
  ensureBuilt,
  runSpv,
} from './cli-helpers';

const sample = (name: string) => join(SAMPLES_DIR, name);
const READY = HAVE_MODELS && HAVE_SAMPLES && existsSync(sample('sample-multiframe.dcm'));
/** What a usage error ends with; a stack trace would show "    at ". */
const USAGE_TAIL = '\n(see spv --help)\n';

describe.skipIf(!READY)('spv, second audit', () => {
  let dir: string;
  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'spv-cli-audit2-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  describe('an empty option value is a usage error, never a default', () => {
    it('--coronal "" does not estimate the bundled sample', async () => {
      const run = await runSpv(['estimate', '--coronal', '']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `spv estimate: --coronal was given an empty value: give its value (is a shell variable unset?)${USAGE_TAIL}`,
      );
    });

    it('--transverse "" does not drop the view, --frame "" is not frame 0, --age "" is not a newborn', async () => {
      const coronal = sample('sample-01_coronal.png');
      for (const args of [
        ['--coronal', coronal, '--transverse', ''],
        ['--coronal', sample('sample-multiframe.dcm'), '--frame', ''],
        ['--coronal', sample('sample-multiframe.dcm'), '--frame', ' '],
        ['--age', ''],
      ]) {
        const run = await runSpv(['estimate', ...args]);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/ was given an empty value/);
      }
      const imported = await runSpv([
        'import',
        sample('sample-multiframe.dcm'),
        '--frame',
        '',
        '--data-dir',
        join(dir, 'empty-frame'),
      ]);
      expect(imported.code).toBe(2);
      expect(imported.stderr).toMatch(/^spv import: --frame was given an empty value/);
    });

    it('a hexadecimal or blank number is refused, and the message quotes what was given', async () => {
      const multiframe = sample('sample-multiframe.dcm');
      const frame = await runSpv(['estimate', '--coronal', multiframe, '--frame', '0x1']);
      expect(frame.code).toBe(2);
      expect(frame.stderr).toBe(
        `spv estimate: --frame needs a whole number ≥ 0, got "0x1"${USAGE_TAIL}`,
      );
      const png = sample('uncalibrated.png');
      const spacing = await runSpv(['estimate', '--coronal', png, '--spacing', '0x1']);
      expect(spacing.code).toBe(2);
      expect(spacing.stderr).toBe(
        `spv estimate: --spacing needs a positive number, got "0x1"${USAGE_TAIL}`,
      );
      const age = await runSpv(['estimate', '--age', 'abc']);
      expect(age.stderr).toBe(`spv estimate: --age needs a number, got "abc"${USAGE_TAIL}`);
      const height = await runSpv(['estimate', '--height', '20']);
      expect(height.stderr).toBe(`spv estimate: --height is 30–250 cm, got "20"${USAGE_TAIL}`);
    });

    it('--sex takes F and Female as female (as DICOM writes it)', async () => {
      const female = await runSpv(['estimate', '--json', '--age', '40', '--sex', 'female']);
      expect(female.code, female.stderr).toBe(0);
      const classification = (out: string) =>
        (JSON.parse(out) as { classification: unknown }).classification;
      for (const given of ['F', 'Female']) {
        const run = await runSpv(['estimate', '--json', '--age', '40', '--sex', given]);
        expect(run.code, run.stderr).toBe(0);
        expect(classification(run.stdout)).toEqual(classification(female.stdout));
        // The JSON says whom the verdicts are for, as the reader wrote it, in one spelling.
        expect((JSON.parse(run.stdout) as { patient: unknown }).patient).toEqual({
          age_years: 40,
          sex: 'female',
          height_cm: null,
          from_dicom_header: [],
        });
      }
    });
  });

  it('an unknown --sample names the samples there are', async () => {
    const run = await runSpv(['estimate', '--sample', 'sample-99']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^spv estimate: There is no sample "sample-99" in .*index\.csv: give one of sample-01, sample-02, .*sample-08\.\n$/,
    );
  });

  describe('one picture given as both views', () => {
    it('spv estimate refuses it, by the same path or as a copy (exit 3)', async () => {
      const coronal = sample('sample-01_coronal.png');
      const same = await runSpv(['estimate', '--coronal', coronal, '--transverse', coronal]);
      expect(same.code).toBe(3);
      expect(same.stdout).toBe('');
      expect(same.stderr).toBe(
        'spv estimate: sample-01_coronal.png is given as both views: the coronal and transverse ' +
          'views are two different images of the spleen; give each view its own file with ' +
          '--coronal and --transverse, or the coronal one alone for the single-view estimate.\n',
      );
      const copy = join(dir, 'copy.png');
      copyFileSync(coronal, copy);
      const copied = await runSpv([
        'estimate',
        '--coronal',
        coronal,
        '--transverse',
        copy,
        '--spacing',
        '0.3',
      ]);
      expect(copied.code).toBe(3);
      expect(copied.stderr).toMatch(/sample-01_coronal\.png and copy\.png are the same picture/);
    });

    it('spv batch gives that row the error and runs the others', async () => {
      const index = join(dir, 'same-picture.csv');
      const out = join(dir, 'same-picture-results.csv');
      const [c, t] = [sample('sample-01_coronal.png'), sample('sample-01_transverse.png')];
      writeFileSync(
        index,
        `id,coronal,transverse,spacing_mm,kind\nsame,${c},${c},,image\npair,${c},${t},,image\n`,
      );
      const run = await runSpv(['batch', index, '--out', out]);
      expect(run.code).toBe(3);
      const [same, pair] = parseCsvRecords(readFileSync(out, 'utf8')).records;
      expect(same.volume_ml).toBe('');
      expect(same.error).toMatch(
        /^sample-01_coronal\.png is given as both views: .*in the row's coronal and transverse columns/,
      );
      expect(pair.model).toBe('dual');
      expect(Number(pair.volume_ml)).toBeGreaterThan(0);
    });
  });

  describe('an ultrasound image given as a mask', () => {
    it('is refused by spv estimate --mask (exit 3), while a mask saved as JPEG is taken', async () => {
      const run = await runSpv([
        'estimate',
        '--mask',
        '--coronal',
        sample('sample-01_coronal.png'),
        '--transverse',
        sample('sample-01_transverse.png'),
      ]);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^spv estimate: sample-01_coronal\.png is not a mask: \d+% of its pixels are shades of grey, .*leave out --mask\.\n$/,
      );
      const jpeg = join(dir, 'mask-as.jpg');
      await sharp(sample('sample-01_coronal_mask.png')).jpeg({ quality: 75 }).toFile(jpeg);
      copyFileSync(sample('sample-01_coronal_mask.json'), join(dir, 'mask-as.json'));
      const taken = await runSpv(['estimate', '--mask', '--coronal', jpeg, '--json']);
      expect(taken.code, taken.stderr).toBe(0);
      expect((JSON.parse(taken.stdout) as { volume_ml: number }).volume_ml).toBeGreaterThan(0);
    });

    it('is that row’s error in spv batch (kind "mask")', async () => {
      const index = join(dir, 'image-as-mask.csv');
      const out = join(dir, 'image-as-mask-results.csv');
      writeFileSync(
        index,
        `id,coronal,transverse,spacing_mm,kind\nm,${sample('sample-01_coronal.png')},,,mask\n`,
      );
      const run = await runSpv(['batch', index, '--out', out]);
      expect(run.code).toBe(3);
      const [row] = parseCsvRecords(readFileSync(out, 'utf8')).records;
      expect(row.volume_ml).toBe('');
      expect(row.error).toMatch(/is not a mask: .*give the row the kind "image"\.$/);
    });
  });

  describe('spv batch --out', () => {
    it('may not be the index itself, however it is named: the index is left as it was', async () => {
      const index = join(dir, 'keep-me.csv');
      const text = `id,coronal,transverse,spacing_mm,kind\ns1,${sample('sample-01_coronal.png')},,,image\n`;
      writeFileSync(index, text);
      const link = join(dir, 'link-to-index.csv');
      symlinkSync(index, link);
      for (const out of [index, join(dir, '.', 'keep-me.csv'), link]) {
        const run = await runSpv(['batch', index, '--out', out]);
        expect(run.code, out).toBe(3);
        expect(run.stderr).toMatch(
          /^spv batch: --out .*(keep-me|link-to-index)\.csv is the index itself: the results would be written over it\. Give --out another file\. No case was run\.\n$/,
        );
        expect(readFileSync(index, 'utf8')).toBe(text);
      }
    });

    it('may not be an image the index names', async () => {
      const image = join(dir, 'batch-image.png');
      copyFileSync(sample('sample-01_coronal.png'), image);
      const before = readFileSync(image);
      const index = join(dir, 'names-image.csv');
      writeFileSync(
        index,
        'id,coronal,transverse,spacing_mm,kind\nr1,batch-image.png,,0.4,image\n',
      );
      const run = await runSpv(['batch', index, '--out', image]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/is an image of row "r1" of the index/);
      expect(readFileSync(image).equals(before)).toBe(true);
    });
  });

  it('Ctrl+C stops spv batch after the case in progress: its rows and a summary, exit 130', async () => {
    const total = 400;
    const index = join(dir, 'long.csv');
    const out = join(dir, 'long-results.csv');
    const c = sample('sample-01_coronal.png');
    writeFileSync(
      index,
      'id,coronal,transverse,spacing_mm,kind\n' +
        Array.from({ length: total }, (_, i) => `c${i},${c},,,image\n`).join(''),
    );
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'spv.cjs'), 'batch', index, '--out', out],
      {
        env: { ...process.env, SPV_MODELS_DIR: MODELS_DIR },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    // Stop it once a few rows are on disk (the header and two cases).
    while (!existsSync(out) || readFileSync(out, 'utf8').split('\n').length < 4)
      await new Promise((next) => setTimeout(next, 20));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const records = parseCsvRecords(readFileSync(out, 'utf8')).records;
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThan(total);
    for (const [i, r] of records.entries()) {
      expect(r.id).toBe(`c${i}`);
      expect(Number(r.volume_ml)).toBeGreaterThan(0);
    }
    expect(stderr).toMatch(
      new RegExp(
        `spv batch: stopped by Ctrl\\+C after ${records.length} of ${total} cases \\(their rows are kept\\), ${records.length} estimated, 0 with errors`,
      ),
    );
  });

  describe('the database commands', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = join(dir, 'data');
      const imported = await runSpv([
        'import',
        sample('sample-01_coronal.png'),
        sample('sample-01_transverse.png'),
        '--data-dir',
        dataDir,
      ]);
      expect(imported.code, imported.stderr).toBe(0);
    });

    it('refuse a --data-dir without a database, and leave none there', async () => {
      const typo = join(dir, 'no-database-here');
      for (const args of [
        ['session', 'list'],
        ['session', 'show', '1'],
        ['session', 'create', '--reader', 'Dr A', '1'],
        ['session', 'export', '1', '--out', join(dir, 'exp-typo')],
        ['report', '1', '--out', join(dir, 'typo.pdf')],
        ['case', 'swap-views', '1', '--reader', 'Dr A'],
      ]) {
        const run = await runSpv([...args, '--data-dir', typo]);
        expect(run.code, args.join(' ')).toBe(3);
        expect(run.stderr).toBe(
          `spv ${args[0]}: There is no cases database in ${typo} (no spv-cases.sqlite there): ` +
            'check --data-dir, or import images first (spv import PATH… creates the database).\n',
        );
      }
      expect(existsSync(typo)).toBe(false);
    });

    it('a bad --provider is a usage error even where no model runs (import without --ai)', async () => {
      const fresh = join(dir, 'provider-typo');
      const run = await runSpv([
        'import',
        sample('sample-02_coronal.png'),
        '--provider',
        'cdua',
        '--data-dir',
        fresh,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^spv import: --provider "cdua" is not a provider/);
      expect(existsSync(fresh)).toBe(false);
    });

    it('spv import refuses a --data-dir that is a file, saying so (exit 3, no stack trace)', async () => {
      const file = join(dir, 'not-a-folder.txt');
      writeFileSync(file, 'x\n');
      const run = await runSpv(['import', sample('sample-02_coronal.png'), '--data-dir', file]);
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `spv import: --data-dir ${file} is a file, not a folder: give the folder of the cases ` +
          'database (it is made when missing). Nothing was imported.\n',
      );
    });

    it('session create counts a case given twice once; show takes one id; options may come first', async () => {
      const created = await runSpv([
        'session',
        '--data-dir',
        dataDir,
        'create',
        '--reader',
        'Dr A',
        '1',
        '1',
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toBe('Session 1: 1 case(s) for Dr A\n');
      const listed = await runSpv(['session', '--data-dir', dataDir, 'list']);
      expect(listed.stdout).toMatch(/^1\t.*\tDr A\t.*\t1 case\(s\)\n$/);
      const two = await runSpv(['session', 'show', '1', '2', '--data-dir', dataDir]);
      expect(two.code).toBe(2);
      expect(two.stderr).toBe(`spv session: give one session id, got also "2"${USAGE_TAIL}`);
    });

    it('report and session export say what is wrong with --out (exit 3), before any work', async () => {
      const missing = join(dir, 'no-such-folder', 'r.pdf');
      for (const args of [
        ['report', '1', '--out', missing, '--data-dir', dataDir],
        ['report', '--sample', '--out', missing],
      ]) {
        const run = await runSpv(args);
        expect(run.code, args.join(' ')).toBe(3);
        expect(run.stderr).toBe(
          `spv report: --out ${missing} cannot be written (its folder does not exist): give --out ` +
            'a file in a folder that exists and that you can write to. No report was made.\n',
        );
      }
      const onFolder = await runSpv(['report', '--sample', '--out', dir]);
      expect(onFolder.code).toBe(3);
      expect(onFolder.stderr).toMatch(/cannot be written \(it is a folder\)/);

      mkdirSync(join(dir, 'exports'), { recursive: true });
      const file = join(dir, 'exports', 'a-file.csv');
      writeFileSync(file, 'x\n');
      for (const [out, why] of [
        [file, 'it is a file, not a folder'],
        [join(file, 'sub'), 'a part of its path is a file, not a folder'],
      ]) {
        const run = await runSpv(['session', 'export', '1', '--out', out, '--data-dir', dataDir]);
        expect(run.code, out).toBe(3);
        expect(run.stderr).toBe(
          `spv session: --out ${out} cannot be written (${why}): give --out a folder (it is ` +
            'created when missing). Nothing was exported.\n',
        );
      }
      expect(readFileSync(file, 'utf8')).toBe('x\n');
    });
  });
});
