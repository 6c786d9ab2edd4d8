import { describe, it, expect } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsvRow, parseCsv } from '../../src/engine/csv';
import { parseSpacing, readCaseIndex, readCaseIndexRows } from '../../src/engine/samples';

describe('CSV', () => {
  it('parses quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n1,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ]);
  });

  it('round-trips values that need quoting', () => {
    const row = ['plain', 'with,comma', 'with "quote"', 3.5, null];
    expect(parseCsv(formatCsvRow(row))).toEqual([
      ['plain', 'with,comma', 'with "quote"', '3.5', ''],
    ]);
  });
});

describe('case index', () => {
  it('reads spacing as one or two numbers and refuses nonsense', () => {
    expect(parseSpacing('0.5')).toEqual({ x: 0.5, y: 0.5 });
    expect(parseSpacing('0.4 0.6')).toEqual({ x: 0.4, y: 0.6 });
    expect(parseSpacing('')).toBeNull();
    expect(() => parseSpacing('-1')).toThrow(/positive/);
  });

  it('resolves paths relative to the CSV and keeps true volumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spv-index-'));
    try {
      const path = join(dir, 'index.csv');
      await writeFile(
        path,
        'id,coronal,transverse,spacing_mm,kind,true_volume_ml\nc1,img/a.png,,0.5,image,210.5\nc2,b.png,t.png,,mask,\n',
      );
      const index = await readCaseIndex(path);
      expect(index.hasTrueVolume).toBe(true);
      expect(index.rows[0]).toEqual({
        id: 'c1',
        coronal: join(dir, 'img/a.png'),
        transverse: null,
        spacing: { x: 0.5, y: 0.5 },
        kind: 'image',
        trueVolumeMl: 210.5,
      });
      expect(index.rows[1]).toMatchObject({
        kind: 'mask',
        transverse: join(dir, 't.png'),
        spacing: null,
        trueVolumeMl: null,
      });
      await writeFile(path, 'id,coronal,transverse,spacing_mm,kind\nc1,a.png,,0.5,video\n');
      await expect(readCaseIndex(path)).rejects.toThrow(/row 2: kind "video"/);
      await writeFile(path, 'name,file\n');
      await expect(readCaseIndex(path)).rejects.toThrow(/no "id" column/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a bad row with its error and reads the rows around it (spv batch)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spv-index-'));
    try {
      const path = join(dir, 'index.csv');
      await writeFile(
        path,
        'id,coronal,transverse,spacing_mm,kind,true_volume_ml\n' +
          'good,a.png,,0.5,image,100\n' +
          'spacing,b.png,,abc,image,200\n' +
          'kind,c.png,,0.5,picture,\n' +
          'after,d.png,,,mask,\n',
      );
      const { rows, hasTrueVolume } = await readCaseIndexRows(path);
      expect(hasTrueVolume).toBe(true);
      expect(rows.map((row) => row.id)).toEqual(['good', 'spacing', 'kind', 'after']);
      expect(rows[0]).toMatchObject({ coronal: join(dir, 'a.png'), spacing: { x: 0.5, y: 0.5 } });
      expect(rows[1]).toEqual({
        id: 'spacing',
        error: `${path} row 3: spacing "abc" is not one or two positive numbers (mm per pixel)`,
        trueVolumeMl: 200,
      });
      expect(rows[2]).toMatchObject({ error: expect.stringMatching(/row 4: kind "picture"/) });
      expect(rows[3]).toMatchObject({ kind: 'mask', spacing: null });
      // The bundled samples' reader still refuses an index with a bad row as a whole.
      await expect(readCaseIndex(path)).rejects.toThrow(/row 3: spacing "abc"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads coronal_frame and transverse_frame, and refuses a frame that is not a whole number ≥ 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spv-index-'));
    try {
      const path = join(dir, 'index.csv');
      await writeFile(
        path,
        'id,coronal,transverse,spacing_mm,kind,coronal_frame,transverse_frame\n' +
          'both,a.dcm,b.dcm,,image,2,0\n' +
          'none,a.png,,,image,,\n' +
          'negative,a.dcm,,,image,-1,\n' +
          'fraction,a.dcm,b.dcm,,image,,1.5\n' +
          'alone,a.dcm,,,image,,3\n',
      );
      const { rows } = await readCaseIndexRows(path);
      expect(rows[0]).toMatchObject({ coronalFrame: 2, transverseFrame: 0 });
      expect(rows[1]).not.toHaveProperty('coronalFrame');
      expect(rows[1]).not.toHaveProperty('transverseFrame');
      expect(rows[2]).toMatchObject({
        error: expect.stringMatching(/row 4: coronal_frame "-1" is not a whole number ≥ 0/),
      });
      expect(rows[3]).toMatchObject({
        error: expect.stringMatching(/row 5: transverse_frame "1\.5" is not a whole number ≥ 0/),
      });
      expect(rows[4]).toMatchObject({
        error: expect.stringMatching(
          /row 6: transverse_frame is given but the row has no transverse/,
        ),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('case index: what a spreadsheet gets wrong', () => {
  const withIndex = async (text: string, check: (path: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'spv-index-'));
    try {
      const path = join(dir, 'index.csv');
      await writeFile(path, text);
      await check(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('reads column names in any letter case', () =>
    withIndex('ID,Coronal,Transverse,Spacing_mm,Kind\nc1,a.png,,0.5,image\n', async (path) => {
      const { rows } = await readCaseIndexRows(path);
      expect(rows).toEqual([expect.objectContaining({ id: 'c1', spacing: { x: 0.5, y: 0.5 } })]);
    }));

  it('says that an index separated by ";" must be saved comma-separated', () =>
    withIndex('id;coronal;transverse;spacing_mm;kind\nc1;a.png;;0,5;image\n', async (path) => {
      await expect(readCaseIndexRows(path)).rejects.toThrow(
        /no "id" column.*separated by ";".*save it as comma-separated CSV/,
      );
    }));

  it('refuses a header without rows, and a folder given for the index', async () => {
    await withIndex('id,coronal,transverse,spacing_mm,kind\n', async (path) => {
      await expect(readCaseIndexRows(path)).rejects.toThrow(/has a header but no case rows/);
    });
    const dir = await mkdtemp(join(tmpdir(), 'spv-index-'));
    try {
      await expect(readCaseIndexRows(dir)).rejects.toThrow(/is a folder, not a CSV file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes a repeated id and a true volume that is no number the errors of their rows', () =>
    withIndex(
      'id,coronal,transverse,spacing_mm,kind,true_volume_ml\n' +
        'c1,a.png,,0.5,image,120\n' +
        'c1,b.png,,0.5,image,130\n' +
        'c2,c.png,,0.5,image,about 200\n',
      async (path) => {
        const { rows } = await readCaseIndexRows(path);
        expect(rows[0]).toMatchObject({ id: 'c1', trueVolumeMl: 120 });
        expect(rows[1]).toEqual({
          id: 'c1',
          error: `${path} row 3: id "c1" is already the id of row 2: give each case its own id`,
          trueVolumeMl: 130,
        });
        expect(rows[2]).toMatchObject({
          error: `${path} row 4: true_volume_ml "about 200" is not a volume in mL (a number > 0), nor empty`,
          trueVolumeMl: null,
        });
      },
    ));
});
