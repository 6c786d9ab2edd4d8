/**
 * The content hash an import stores is the file's SHA-256 (the hash duplicate detection and the
 * reopen check use): the bytes read once for decoding are hashed with sha256Hex, the project's one
 * SHA-256 (inference/manifest-loader.ts). How often a file is read: store-import-leftover.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importPaths } from '../../src/store/import';
import { CaseStore } from '../../src/store/store';

const SAMPLES = join(__dirname, '..', '..', 'models', 'samples');

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-import-hash-'));
  store = CaseStore.open(join(dir, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('import content hash', () => {
  it("stores each image's SHA-256 and finds it again as a duplicate", async () => {
    const files = ['sample-01_coronal.png', 'sample-01_transverse.png'].map((n) =>
      join(SAMPLES, n),
    );
    const report = await importPaths(store, files);
    expect(report.imported).toHaveLength(2);
    const images = store.images(Number(report.caseIds[0]));
    for (const file of files) {
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(images.find((i) => i.originalPath === file)?.contentHash).toBe(sha);
    }
    const again = await importPaths(store, files);
    expect(again.duplicates.map((d) => d.reason)).toEqual(
      files.map(() => expect.stringMatching(/the same content \(SHA-256\)/)),
    );
  });
});
