/** A database folder that cannot be made is said as such, with what to do (not a raw ENOTDIR). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database';

describe('the database folder', () => {
  it('names the folder that cannot be made and says what to give instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spv-db-folder-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder');
      expect(() => openDatabase(join(file, 'data', 'cases.sqlite'))).toThrow(
        new RegExp(
          `^The database folder ${join(file, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be made \\(.*\\): give a folder you can write to`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
