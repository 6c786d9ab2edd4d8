/**
 * Import and decode defects found by the second code review; each test fails on the code before
 * its fix. Extension-less files decided by content (a README is skipped, IM0001 is read), a
 * DICOMDIR skipped rather than failed, sidecars found whatever their letter case, a sidecar's
 * calibration winning over a given spacing, and hidden files passed over unlisted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeImageBuffer, decodeImageFile } from '../../src/decode';
import { sidecarsAmong } from '../../src/decode/sidecar';
import { importPaths } from '../../src/store/import';
import { CaseStore } from '../../src/store/store';
import { imageElements, writeDicom, type DicomElement } from '../fixtures/dicom/write-dicom';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-import-review-'));
  store = CaseStore.open(join(dir, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ROWS = 24;
const COLUMNS = 32;

/** A single-frame ultrasound DICOM image with its own SOP Instance UID, in one study. */
function dicomImage(sopUid: string): DicomElement[] {
  const pixelBytes = new Uint8Array(ROWS * COLUMNS).map((_, i) => (i * 5 + sopUid.length) % 256);
  return imageElements({ rows: ROWS, columns: COLUMNS, pixelBytes }).map((e) =>
    e.tag[0] === 0x0008 && e.tag[1] === 0x0018 ? { ...e, value: sopUid } : e,
  );
}

/** The data set of a Part 10 file without its preamble and file meta group (a bare data set). */
function bareDataSet(part10: Uint8Array): Buffer {
  const metaLength = new DataView(part10.buffer, part10.byteOffset).getUint32(132 + 8, true);
  return Buffer.from(part10.subarray(132 + 12 + metaLength));
}

async function writePng(path: string, seed: number): Promise<void> {
  const pixels = Buffer.alloc(64 * 48).map((_, i) => (i * 31 + seed * 17) % 251);
  await sharp(pixels, { raw: { width: 64, height: 48, channels: 1 } })
    .png()
    .toFile(path);
}

const nameOf = (path: string): string => path.split('/').pop()!;

describe('import: extension-less files and DICOM objects without an image', () => {
  it('skips a README, LICENSE and DICOMDIR with the reason, and imports IM0001 and a bare IM0002', async () => {
    const root = join(dir, 'cd');
    mkdirSync(join(root, 'IMAGES'), { recursive: true });
    writeFileSync(join(root, 'README'), 'CD contents\n');
    writeFileSync(join(root, 'LICENSE'), 'Permission is hereby granted, free of charge...\n');
    // A DICOMDIR-like object: Part 10, Media Storage Directory, no pixel data.
    writeFileSync(
      join(root, 'DICOMDIR'),
      writeDicom([
        { tag: [0x0008, 0x0016], vr: 'UI', value: '1.2.840.10008.1.3.10' },
        { tag: [0x0008, 0x0018], vr: 'UI', value: '1.2.3.4.5' },
      ]),
    );
    writeFileSync(join(root, 'IMAGES', 'IM0001'), writeDicom(dicomImage('1.2.3.9.1')));
    writeFileSync(
      join(root, 'IMAGES', 'IM0002'),
      bareDataSet(writeDicom(dicomImage('1.2.3.9.2'), 'implicit-le')),
    );
    // Hidden files are passed over without a line (they are the system's, never images).
    writeFileSync(join(root, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');

    const report = await importPaths(store, [root]);

    expect(report.failed).toEqual([]);
    expect(report.imported.map((i) => nameOf(i.path)).sort()).toEqual(['IM0001', 'IM0002']);
    expect(report.caseIds).toHaveLength(1);
    const skipped = Object.fromEntries(report.skipped.map((s) => [nameOf(s.path), s.reason]));
    expect(Object.keys(skipped).sort()).toEqual(['DICOMDIR', 'LICENSE', 'README']);
    expect(skipped.README).toMatch(/^not a PNG, JPEG or DICOM file \(no extension/);
    expect(skipped.LICENSE).toMatch(/^not a PNG, JPEG or DICOM file \(no extension/);
    expect(skipped.DICOMDIR).toMatch(
      /^not a PNG, JPEG or DICOM image: a DICOM file without pixel data \(a DICOMDIR/,
    );
  });

  it('tries a PNG by its content whatever its name: no extension, or another one', async () => {
    const root = join(dir, 'odd-names');
    mkdirSync(root);
    await writePng(join(root, 'SCAN1'), 5);
    await writePng(join(root, 'scan2.img'), 6);
    writeFileSync(join(root, 'notes.img'), 'not an image at all');
    const report = await importPaths(store, [root]);
    expect(report.failed).toEqual([]);
    expect(report.imported.map((i) => nameOf(i.path)).sort()).toEqual(['SCAN1', 'scan2.img']);
    expect(report.skipped.map((s) => [nameOf(s.path), s.reason])).toEqual([
      ['notes.img', expect.stringMatching(/^not a PNG, JPEG or DICOM file \(the extension \.img/)],
    ]);
  });

  it('skips a DICOM report named .dcm (no pixel data) rather than failing it', async () => {
    const elements = dicomImage('1.2.3.9.3').filter((e) => e.tag[0] !== 0x7fe0);
    writeFileSync(join(dir, 'report.dcm'), writeDicom(elements));
    const report = await importPaths(store, [join(dir, 'report.dcm')]);
    expect(report.failed).toEqual([]);
    expect(report.imported).toEqual([]);
    expect(report.skipped).toEqual([
      { path: join(dir, 'report.dcm'), reason: expect.stringMatching(/without pixel data/) },
    ]);
  });

  it('decodes a bare data set with no extension, as with .dcm', async () => {
    const bare = bareDataSet(writeDicom(dicomImage('1.2.3.9.4'), 'implicit-le'));
    const decoded = await decodeImageBuffer(bare, join(dir, 'IMAGES', 'IM0004'));
    expect(decoded.format).toBe('dicom');
    expect(decoded.grey.width).toBe(COLUMNS);
    // A name with another extension still needs the DICOM header.
    await expect(decodeImageBuffer(bare, 'IM0004.bin')).rejects.toThrow(
      /IM0004\.bin: this is not a PNG, JPEG or DICOM image/,
    );
  });
});

describe('calibration sidecars whatever their letter case', () => {
  it('finds Scan_Coronal.JSON beside Scan_Coronal.PNG when decoding and when importing', async () => {
    const root = join(dir, 'upper');
    mkdirSync(root);
    await writePng(join(root, 'Scan_Coronal.PNG'), 1);
    writeFileSync(join(root, 'Scan_Coronal.JSON'), JSON.stringify({ spacing_mm: [0.4, 0.45] }));
    await writePng(join(root, 'scan_transverse.png'), 2);
    writeFileSync(join(root, 'scan_transverse.json'), JSON.stringify({ spacing_mm: [0.4, 0.4] }));
    // A sidecar without its image is still listed.
    writeFileSync(join(root, 'Other.JSON'), JSON.stringify({ spacing_mm: [0.4, 0.4] }));

    const decoded = await decodeImageFile(join(root, 'Scan_Coronal.PNG'));
    expect(decoded.calibration).toMatchObject({
      source: 'sidecar',
      spacingX: 0.4,
      spacingY: 0.45,
      detail: 'Scan_Coronal.JSON: 0.4 × 0.45 mm/px',
    });

    const report = await importPaths(store, [root]);
    expect(report.failed).toEqual([]);
    expect(report.imported).toHaveLength(2);
    expect(report.skipped.map((s) => nameOf(s.path))).toEqual(['Other.JSON']);
    const [only] = store.listCases();
    expect(store.images(only.id).map((i) => [i.view, i.calibration?.source])).toEqual([
      ['coronal', 'sidecar'],
      ['transverse', 'sidecar'],
    ]);
  });

  it('prefers <name>.json to <name>.<ext>.json, and the exact spelling among case variants', () => {
    const image = join('/cases', 'Scan_Coronal.png');
    const names = [
      'Scan_Coronal.png',
      'scan_coronal.png.JSON',
      'SCAN_CORONAL.JSON',
      'Scan_Coronal.json',
      'scan_transverse.json',
    ];
    expect(sidecarsAmong(image, names)).toEqual([
      join('/cases', 'Scan_Coronal.json'),
      join('/cases', 'SCAN_CORONAL.JSON'),
      join('/cases', 'scan_coronal.png.JSON'),
    ]);
  });
});

describe('a given spacing and a PNG/JPEG sidecar', () => {
  it('keeps the sidecar calibration and says the given spacing was not used when it differs', async () => {
    const file = join(dir, 'case_coronal.png');
    await writePng(file, 3);
    const alone = await decodeImageFile(file, { spacing: { x: 0.3, y: 0.3 } });
    // Without a sidecar the given spacing calibrates the image, without a word.
    expect(alone.calibration).toMatchObject({ source: 'caller', spacingX: 0.3 });
    expect(alone.notices).toEqual([]);

    writeFileSync(join(dir, 'case_coronal.json'), JSON.stringify({ spacing_mm: [0.375, 0.375] }));
    const differs = await decodeImageFile(file, { spacing: { x: 0.3, y: 0.3 } });
    expect(differs.calibration).toMatchObject({ source: 'sidecar', spacingX: 0.375 });
    expect(differs.notices).toEqual([
      expect.stringMatching(
        /^case_coronal\.png: the given spacing 0\.3 × 0\.3 mm\/px was not used: .*sidecar \(case_coronal\.json: 0\.375 × 0\.375 mm\/px\), which differs\./,
      ),
    ]);
    const agrees = await decodeImageFile(file, { spacing: { x: 0.375, y: 0.375 } });
    expect(agrees.calibration).toMatchObject({ source: 'sidecar', spacingX: 0.375 });
    // The same spacing as the sidecar's: nothing was overridden, nothing to say.
    expect(agrees.notices).toEqual([]);
  });
});
