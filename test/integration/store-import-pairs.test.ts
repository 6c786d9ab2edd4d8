/**
 * A duplicate within one import (the same image reached twice: a copy under another name in
 * another folder, the same folder given twice, a DICOM copied beside its study) never creates a
 * case, never takes the place of a view, and is listed as a duplicate naming what it duplicates:
 * whatever the order of the paths. Real sample files copied into a temp tree, a real store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';
import { importPaths } from '../../src/store/import';
import type { ImportReport } from '../../src/api/store-contract';

const SAMPLES = join(__dirname, '..', '..', 'models', 'samples');

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-import-pairs-'));
  store = CaseStore.open(join(dir, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Copies sample files (with their JSON sidecars, for PNGs) into `folder` under the names given. */
function place(folder: string, files: Record<string, string>): string {
  mkdirSync(folder, { recursive: true });
  for (const [name, sample] of Object.entries(files)) {
    copyFileSync(join(SAMPLES, sample), join(folder, name));
    if (sample.endsWith('.png'))
      copyFileSync(
        join(SAMPLES, sample.replace(/\.png$/, '.json')),
        join(folder, name.replace(/\.png$/i, '.json')),
      );
  }
  return folder;
}

/** Every case of the store: its title and, per view, the file stored. */
function casesInStore(): { title: string; views: Record<string, string> }[] {
  return store.listCases().map((c) => ({
    title: c.title,
    views: Object.fromEntries(store.images(c.id).map((image) => [image.view, image.originalPath])),
  }));
}

function pairFolder(name: string): string {
  return place(join(dir, name), {
    'x_coronal.png': 'sample-01_coronal.png',
    'x_transverse.png': 'sample-01_transverse.png',
  });
}

function expectNothingFailed(report: ImportReport): void {
  expect(report.failed).toEqual([]);
}

describe('import-pairs: a PNG pair and a copy of its coronal under another name elsewhere', () => {
  it.each([
    ['the pair first', false],
    ['the copy first', true],
  ])('keeps the pair one case (%s)', async (_, copyFirst) => {
    const pair = pairFolder('pair');
    const copies = place(join(dir, 'copies'), { 'other_coronal.png': 'sample-01_coronal.png' });
    const report = await importPaths(store, copyFirst ? [copies, pair] : [pair, copies]);
    expectNothingFailed(report);
    expect(casesInStore()).toEqual([
      {
        title: 'x',
        views: { coronal: join(pair, 'x_coronal.png'), transverse: join(pair, 'x_transverse.png') },
      },
    ]);
    expect(report.duplicates).toEqual([
      {
        path: join(copies, 'other_coronal.png'),
        reason: expect.stringContaining(`as ${join(pair, 'x_coronal.png')} (case `),
      },
    ]);
    expect(report.imported.map((i) => i.path).sort()).toEqual([
      join(pair, 'x_coronal.png'),
      join(pair, 'x_transverse.png'),
    ]);
  });

  it('keeps the pair one case when the copy sits in a folder walked before it', async () => {
    const root = join(dir, 'root');
    const pair = place(join(root, 'b-pair'), {
      'x_coronal.png': 'sample-01_coronal.png',
      'x_transverse.png': 'sample-01_transverse.png',
    });
    const copies = place(join(root, 'a-copies'), { 'IMG_0001.png': 'sample-01_coronal.png' });
    const report = await importPaths(store, [root]);
    expectNothingFailed(report);
    expect(casesInStore()).toEqual([
      {
        title: 'x',
        views: { coronal: join(pair, 'x_coronal.png'), transverse: join(pair, 'x_transverse.png') },
      },
    ]);
    expect(report.duplicates.map((d) => d.path)).toEqual([join(copies, 'IMG_0001.png')]);
  });
});

describe('import-pairs: the same pair reached twice in one import', () => {
  it.each([
    ['the same folder twice', (pair: string) => [pair, pair]],
    ['the folder and one of its files', (pair: string) => [join(pair, 'x_coronal.png'), pair]],
  ])('imports it once (%s)', async (_, pathsOf) => {
    const pair = pairFolder('pair');
    const report = await importPaths(store, pathsOf(pair));
    expectNothingFailed(report);
    expect(casesInStore()).toEqual([
      {
        title: 'x',
        views: { coronal: join(pair, 'x_coronal.png'), transverse: join(pair, 'x_transverse.png') },
      },
    ]);
  });

  it.each([
    ['the pair first', false],
    ['the copy first', true],
  ])('keeps one case for the pair and its copied folder (%s)', async (_, copyFirst) => {
    const pair = pairFolder('pair');
    const copy = pairFolder('pair-copy');
    const report = await importPaths(store, copyFirst ? [copy, pair] : [pair, copy]);
    expectNothingFailed(report);
    const kept = copyFirst ? copy : pair;
    const other = copyFirst ? pair : copy;
    expect(casesInStore()).toEqual([
      {
        title: 'x',
        views: { coronal: join(kept, 'x_coronal.png'), transverse: join(kept, 'x_transverse.png') },
      },
    ]);
    expect(report.duplicates).toEqual([
      {
        path: join(other, 'x_coronal.png'),
        reason: expect.stringContaining(`as ${join(kept, 'x_coronal.png')} (case `),
      },
      {
        path: join(other, 'x_transverse.png'),
        reason: expect.stringContaining(`as ${join(kept, 'x_transverse.png')} (case `),
      },
    ]);
  });

  it('keeps the pair whole when one of its files is also given through a link to its folder, first', async () => {
    const pair = pairFolder('pair');
    const link = join(dir, 'link');
    symlinkSync(pair, link);
    const report = await importPaths(store, [join(link, 'x_coronal.png'), pair]);
    expectNothingFailed(report);
    const cases = casesInStore();
    expect(cases).toHaveLength(1);
    expect(Object.keys(cases[0].views).sort()).toEqual(['coronal', 'transverse']);
    expect(report.duplicates).toHaveLength(1);
  });
});

describe('import-pairs: a DICOM study and a copy of one of its files', () => {
  function study(): string {
    return place(join(dir, 'study'), {
      'sample-03_coronal.dcm': 'sample-03_coronal.dcm',
      'sample-03_transverse.dcm': 'sample-03_transverse.dcm',
    });
  }

  it.each([
    ['named as its original, study first', 'sample-03_transverse.dcm', false],
    ['named as its original, copy first', 'sample-03_transverse.dcm', true],
    ['named IM0001 (no view in the name), study first', 'IM0001', false],
    ['named IM0001 (no view in the name), copy first', 'IM0001', true],
  ])('keeps each view its own image (%s)', async (_, copyName, copyFirst) => {
    const studyDir = study();
    const copies = place(join(dir, 'cd'), { [copyName]: 'sample-03_transverse.dcm' });
    const report = await importPaths(store, copyFirst ? [copies, studyDir] : [studyDir, copies]);
    expectNothingFailed(report);
    const cases = casesInStore();
    expect(cases).toHaveLength(1);
    expect(cases[0].views.coronal).toBe(join(studyDir, 'sample-03_coronal.dcm'));
    // The transverse view holds the transverse image, whichever of its two files it came from.
    expect(cases[0].views.transverse).toMatch(/sample-03_transverse\.dcm$|IM0001$/);
    expect(report.duplicates).toHaveLength(1);
    expect(report.duplicates[0].reason).toMatch(/^already imported as .* \(case \d+\): the same/);
  });
});

describe('import-pairs: copies whose original is not placed, and copies by UID only', () => {
  it('lists the copy as a duplicate, not a case of its own, when its original fails', async () => {
    const pair = pairFolder('pair');
    await importPaths(store, [pair]);
    // The pair's coronal is replaced by another image: its case holds a coronal already.
    copyFileSync(join(SAMPLES, 'sample-02_coronal.png'), join(pair, 'x_coronal.png'));
    const copies = place(join(dir, 'copies'), { 'other.png': 'sample-02_coronal.png' });
    const report = await importPaths(store, [copies, pair]);
    expect(report.failed).toEqual([
      {
        path: join(pair, 'x_coronal.png'),
        reason: expect.stringMatching(/already has a coronal image/),
      },
    ]);
    expect(report.duplicates).toEqual([
      { path: join(pair, 'x_transverse.png'), reason: expect.stringMatching(/^already imported/) },
      {
        path: join(copies, 'other.png'),
        reason: expect.stringContaining(
          `the same image as ${join(pair, 'x_coronal.png')}, which was not imported`,
        ),
      },
    ]);
    expect(report.imported).toEqual([]);
    expect(casesInStore().map((c) => c.title)).toEqual(['x']);
  });

  it('treats a DICOM re-sent with other bytes but the same SOP Instance UID as a copy', async () => {
    const studyDir = place(join(dir, 'study'), {
      'sample-03_coronal.dcm': 'sample-03_coronal.dcm',
      'sample-03_transverse.dcm': 'sample-03_transverse.dcm',
    });
    const resent = join(dir, 'cd');
    mkdirSync(resent);
    const bytes = readFileSync(join(SAMPLES, 'sample-03_transverse.dcm'));
    bytes[bytes.length - 1] ^= 0xff; // one pixel differs: another SHA-256, the same UID
    writeFileSync(join(resent, 'IM0001'), bytes);
    const report = await importPaths(store, [resent, studyDir]);
    expectNothingFailed(report);
    expect(casesInStore()).toEqual([
      {
        title: expect.any(String),
        views: {
          coronal: join(studyDir, 'sample-03_coronal.dcm'),
          transverse: join(studyDir, 'sample-03_transverse.dcm'),
        },
      },
    ]);
    expect(report.duplicates).toEqual([
      {
        path: join(resent, 'IM0001'),
        reason: expect.stringMatching(/the same SOP Instance UID /),
      },
    ]);
  });
});
