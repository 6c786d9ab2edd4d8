import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CaseStore } from '../../src/store/store';
import { importPaths, type ImportProgress } from '../../src/store/import';
import {
  imageElements,
  regionItem,
  regionsElement,
  writeDicom,
  type DicomElement,
} from '../fixtures/dicom/write-dicom';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-import-'));
  store = CaseStore.open(join(dir, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function writePng(path: string, seed: number, spacingMm: number | null): Promise<void> {
  const w = 64;
  const h = 48;
  const pixels = Buffer.alloc(w * h);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 17) % 251;
  await sharp(pixels, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toFile(path);
  if (spacingMm !== null)
    writeFileSync(
      path.replace(/\.png$/, '.json'),
      JSON.stringify({ spacing_mm: [spacingMm, spacingMm] }),
    );
}

function dicomImage(path: string, sopUid: string, studyUid: string, seed = 0): void {
  const rows = 32;
  const columns = 40;
  const pixelBytes = new Uint8Array(rows * columns).map(
    (_, i) => (i * 7 + sopUid.length + seed) % 256,
  );
  const replace = new Map<string, string>([
    ['8,18', sopUid],
    ['20,d', studyUid],
  ]);
  const elements: DicomElement[] = imageElements({
    rows,
    columns,
    pixelBytes,
    extra: [
      regionsElement([
        regionItem({ x0: 0, y0: 0, x1: columns - 1, y1: rows - 1, deltaXcm: 0.03, deltaYcm: 0.03 }),
      ]),
    ],
  }).map((e) => {
    const key = `${e.tag[0].toString(16)},${e.tag[1].toString(16)}`;
    return replace.has(key) ? { ...e, value: replace.get(key)! } : e;
  });
  elements.sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1]);
  writeFileSync(path, writeDicom(elements));
}

async function makeFolder(): Promise<string> {
  const root = join(dir, 'in');
  mkdirSync(join(root, 'pngs', 'nested'), { recursive: true });
  mkdirSync(join(root, 'dicom'), { recursive: true });
  await writePng(join(root, 'pngs', 'case-a_coronal.png'), 1, 0.5);
  await writePng(join(root, 'pngs', 'case-a_transverse.png'), 2, 0.5);
  await writePng(join(root, 'pngs', 'nested', 'case-b_coronal.png'), 3, null);
  // With a sidecar: it goes with the mask's line in the report, not a line of its own.
  await writePng(join(root, 'pngs', 'case-a_coronal_mask.png'), 4, 0.5);
  dicomImage(join(root, 'dicom', 'study1_cor.dcm'), '1.2.3.4.1', '1.2.3.4');
  dicomImage(join(root, 'dicom', 'study1_trans.dcm'), '1.2.3.4.2', '1.2.3.4');
  writeFileSync(join(root, 'broken.png'), 'this is not an image');
  writeFileSync(join(root, 'truncated.dcm'), Buffer.from('DICM-ish but far too short'));
  writeFileSync(join(root, 'README.txt'), 'ignored');
  return root;
}

describe('import', () => {
  it('groups PNG pairs and DICOM studies into cases, lists bad files with reasons, reports progress', async () => {
    const root = await makeFolder();
    const progress: ImportProgress[] = [];
    const report = await importPaths(store, [root], {
      actor: 'tester',
      onProgress: (p) => progress.push(p),
    });

    expect(report.imported).toHaveLength(5);
    expect(report.caseIds).toHaveLength(3);
    expect(report.duplicates).toEqual([]);
    const failedNames = report.failed.map((f) => f.path.split('/').pop()).sort();
    expect(failedNames).toEqual(['broken.png', 'truncated.dcm']);
    // Files of the folder that are not images are listed too (they used to be left out without
    // a word); the sidecars read with their images are not.
    const skippedNames = report.skipped.map((f) => f.path.split('/').pop()).sort();
    expect(skippedNames).toEqual(['README.txt', 'case-a_coronal_mask.png']);
    expect(report.skipped.find((f) => f.path.endsWith('README.txt'))!.reason).toMatch(
      /^not a PNG, JPEG or DICOM file/,
    );
    expect(report.failed.find((f) => f.path.endsWith('broken.png'))!.reason).toMatch(
      /broken\.png.*text file, not an image/,
    );

    const cases = store.listCases();
    const caseA = cases.find((c) => c.title === 'case-a')!;
    expect(
      store
        .images(caseA.id)
        .map((i) => i.view)
        .sort(),
    ).toEqual(['coronal', 'transverse']);
    expect(store.images(caseA.id)[0].calibration).toMatchObject({
      spacingX: 0.5,
      source: 'sidecar',
    });
    const caseB = cases.find((c) => c.title === 'case-b')!;
    expect(store.images(caseB.id)[0].calibration).toBeNull();
    const study = store.caseByStudyUid('1.2.3.4')!;
    expect(study).toMatchObject({
      patientKey: 'SYNTH-0001',
      patientName: 'SYNTH^TEST',
      studyDate: '20240102',
    });
    const studyImages = store.images(study.id);
    expect(studyImages.map((i) => [i.view, i.sopInstanceUid])).toEqual([
      ['coronal', '1.2.3.4.1'],
      ['transverse', '1.2.3.4.2'],
    ]);
    expect(studyImages[0].calibration?.spacingX).toBeCloseTo(0.3, 10);

    expect(progress.at(-1)).toMatchObject({ done: 7, total: 7 });
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(
      store.auditLog().filter((e) => e.action === 'image.import' && e.actor === 'tester'),
    ).toHaveLength(5);
  });

  it('recognises duplicates by content hash and by SOP Instance UID, and pairs across imports', async () => {
    const root = await makeFolder();
    await importPaths(store, [join(root, 'pngs', 'case-a_coronal.png'), join(root, 'dicom')]);
    const copy = join(dir, 'copy-of-a.png');
    copyFileSync(join(root, 'pngs', 'case-a_coronal.png'), copy);
    // Same SOP Instance UID, different bytes (e.g. re-sent with another transfer syntax).
    dicomImage(join(dir, 'resent.dcm'), '1.2.3.4.1', '1.2.3.4', 99);
    const again = await importPaths(store, [
      copy,
      join(dir, 'resent.dcm'),
      join(root, 'pngs', 'case-a_transverse.png'),
    ]);
    expect(again.duplicates.map((d) => d.reason)).toEqual([
      expect.stringMatching(/same content \(SHA-256\)/),
      expect.stringMatching(/same SOP Instance UID 1\.2\.3\.4\.1/),
    ]);
    expect(again.imported).toEqual([
      {
        path: join(root, 'pngs', 'case-a_transverse.png'),
        caseId: expect.any(String),
        view: 'transverse',
      },
    ]);
    const caseA = store.listCases().find((c) => c.title === 'case-a')!;
    expect(again.imported[0].caseId).toBe(String(caseA.id));
  });

  it('lists a mask image named explicitly as not imported, with the reason', async () => {
    const root = await makeFolder();
    const report = await importPaths(store, [join(root, 'pngs', 'case-a_coronal_mask.png')]);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([
      {
        path: join(root, 'pngs', 'case-a_coronal_mask.png'),
        reason: expect.stringMatching(/a mask image .* not an ultrasound image/),
      },
    ]);
  });

  it('refuses a third image for a study and a missing path, importing the rest', async () => {
    const root = await makeFolder();
    dicomImage(join(root, 'dicom', 'study1_zextra.dcm'), '1.2.3.4.3', '1.2.3.4');
    const report = await importPaths(store, [join(root, 'dicom'), join(dir, 'nowhere')]);
    expect(report.imported).toHaveLength(2);
    expect(report.failed.map((f) => f.reason)).toEqual([
      expect.stringMatching(/does not exist/),
      expect.stringMatching(/already has a coronal and a transverse image/),
    ]);
  });
});

describe('import: pairing, local patients and files found by content (input audit)', () => {
  it('pairs <x>_coronal / <x>_transverse whatever the case of the name or extension', async () => {
    const root = join(dir, 'mixed-case');
    mkdirSync(root);
    await writePng(join(root, 'scan_coronal.PNG'), 1, null);
    writeFileSync(join(root, 'scan_coronal.json'), JSON.stringify({ spacing_mm: [0.5, 0.5] }));
    await writePng(join(root, 'scan_transverse.png'), 2, 0.5);
    await writePng(join(root, 'Case8_Coronal.png'), 3, 0.5);
    await writePng(join(root, 'Case8_Transverse.png'), 4, 0.5);
    const report = await importPaths(store, [root]);
    expect(report.failed).toEqual([]);
    expect(report.caseIds).toHaveLength(2);
    for (const title of ['scan', 'Case8']) {
      const found = store.listCases().find((c) => c.title === title)!;
      expect(
        store
          .images(found.id)
          .map((i) => i.view)
          .sort(),
      ).toEqual(['coronal', 'transverse']);
    }
  });

  it('gives same-named images of different folders different local patients', async () => {
    for (const [who, seed] of [
      ['patientA', 10],
      ['patientB', 20],
    ] as const) {
      mkdirSync(join(dir, who));
      await writePng(join(dir, who, 'scan_coronal.png'), seed, 0.5);
      await writePng(join(dir, who, 'scan_transverse.png'), seed + 1, 0.5);
    }
    const report = await importPaths(store, [join(dir, 'patientA'), join(dir, 'patientB')]);
    expect(report.caseIds).toHaveLength(2);
    const keys = store.listCases().map((c) => c.patientKey);
    expect(new Set(keys).size).toBe(2);
    for (const key of keys) expect(key).toMatch(/^LOCAL-scan-[0-9a-f]{8}$/);
  });

  it('imports DICOM named by UID or linked, and lists every file it skips with the reason', async () => {
    const root = join(dir, 'uids');
    mkdirSync(root);
    dicomImage(join(root, '1.2.826.0.1.3680043.8.498.12345'), '9.1', '9', 1);
    dicomImage(join(dir, 'elsewhere.dcm'), '9.2', '9', 2);
    symlinkSync(join(dir, 'elsewhere.dcm'), join(root, 'linked.dcm'));
    symlinkSync(join(dir, 'nothing-here.dcm'), join(root, 'dangling.dcm'));
    symlinkSync(root, join(root, 'loop')); // a link back to the folder: walked once
    writeFileSync(join(root, 'notes.12345'), 'not an image at all');
    const report = await importPaths(store, [root]);
    expect(report.imported.map((i) => i.path.split('/').pop()).sort()).toEqual([
      '1.2.826.0.1.3680043.8.498.12345',
      'linked.dcm',
    ]);
    expect(report.failed).toEqual([]);
    expect(report.skipped.map((f) => [f.path.split('/').pop(), f.reason])).toEqual([
      ['dangling.dcm', expect.stringMatching(/^a link to .* does not exist/)],
      ['notes.12345', expect.stringMatching(/^not a PNG, JPEG or DICOM file/)],
    ]);
  });

  it('imports a multi-frame DICOM only with a frame chosen, and stores that frame', async () => {
    const rows = 8;
    const columns = 8;
    const path = join(dir, 'cine.dcm');
    writeFileSync(
      path,
      writeDicom(
        imageElements({ rows, columns, frames: 3, pixelBytes: new Uint8Array(rows * columns * 3) }),
      ),
    );
    const refused = await importPaths(store, [path]);
    expect(refused.failed).toHaveLength(1);
    expect(refused.failed[0].reason).toMatch(/has 3 frames.*spv import --frame N.*Frame field/);
    const taken = await importPaths(store, [path], { frame: 2 });
    expect(taken.failed).toEqual([]);
    const [image] = store.images(Number(taken.imported[0].caseId));
    expect(image.meta).toMatchObject({ frames: 3, frame: 2 });
    // Out of range: refused with the range, nothing stored.
    const other = join(dir, 'cine2.dcm');
    writeFileSync(
      other,
      writeDicom(
        imageElements({
          rows,
          columns,
          frames: 3,
          pixelBytes: new Uint8Array(rows * columns * 3).fill(7),
        }),
      ),
    );
    const tooFar = await importPaths(store, [other], { frame: 3 });
    expect(tooFar.failed[0].reason).toMatch(/frame 3 is out of range/);
  });
});
