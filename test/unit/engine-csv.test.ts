import { describe, it, expect } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsvRow, parseCsv } from '../../src/engine/csv';
import { parseSpacing, readCaseIndex } from '../../src/engine/samples';

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
});
