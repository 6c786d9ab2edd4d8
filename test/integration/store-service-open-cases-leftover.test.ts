/**
 * The stored cases kept open (OpenCases) are bounded by the bytes they hold (their images' PNG data
 * URLs and their saved masks, decoded) as well as by their count: a few very large images must not
 * pile up in memory. The case in the reader's viewer is never forgotten (its edits must keep being
 * saved under it), nor the case just opened, whatever their size.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine';
import { importPaths } from '../../src/store/import';
import { CaseStore } from '../../src/store/store';
import {
  DEFAULT_OPEN_STORED_CASE_BYTES,
  openCaseBytes,
  OpenCases,
  type OpenCasesLimits,
  type OpenStoredCase,
} from '../../src/store-service/open-cases';
import { MaskSaver } from '../../src/store-service/saved-masks';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, MODELS_DIR } from './cli-helpers';

const READER = 'Dr. Bytes';

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)(
  'stored cases kept open are bounded by bytes (open-cases leftover)',
  () => {
    let dir: string;
    let engine: Engine;
    let store: CaseStore;
    /** Four stored cases (sample pairs), in the order opened below. */
    let caseIds: number[];
    /** What each holds once open with its AI masks saved, as first opened without a byte bound. */
    const bytesOf = new Map<number, number>();

    const openCases = (limits: OpenCasesLimits) =>
      new OpenCases(store, engine, new MaskSaver(store, 'test-model-hash'), limits);
    const isOpen = (cases: OpenCases, open: OpenStoredCase) =>
      cases.byEngineCaseId(open.engineCaseId) !== undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'spv-open-cases-leftover-'));
      engine = await createEngine({ modelsDir: MODELS_DIR, host: 'web' });
      store = CaseStore.open(join(dir, 'data'));
      const files = ['01', '02', '04', '05'].flatMap((n) =>
        ['coronal', 'transverse'].map((v) => join(SAMPLES_DIR, `sample-${n}_${v}.png`)),
      );
      const report = await importPaths(store, files);
      expect(report.failed).toEqual([]);
      caseIds = report.caseIds.map(Number);
      expect(caseIds).toHaveLength(4);
      // Without a byte bound (the default is far above four sample cases) all four stay open.
      const unbounded = openCases({});
      const opened = [];
      for (const caseId of caseIds) opened.push(await unbounded.open(caseId, READER, null));
      for (const open of opened) {
        expect(isOpen(unbounded, open)).toBe(true);
        bytesOf.set(open.caseId, openCaseBytes(open));
      }
      const total = [...bytesOf.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeLessThan(DEFAULT_OPEN_STORED_CASE_BYTES);
    });
    afterAll(async () => {
      store?.close();
      await engine?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('counts the data URLs of the images and the saved masks', () => {
      for (const caseId of caseIds) {
        const images = store.images(caseId);
        const pixels = images.reduce((sum, image) => sum + image.width * image.height, 0);
        // Two masks of one byte a pixel, and two PNGs in base64 of some kilobytes each.
        expect(bytesOf.get(caseId)!).toBeGreaterThan(pixels + 2 * 10_000);
      }
    });

    it("forgets the oldest cases once over the byte bound, never the viewer's", async () => {
      const [viewer, ...others] = caseIds;
      // Room for the viewer's case and any one other, not for two others: far below the count bound.
      const bound = bytesOf.get(viewer)! + Math.max(...others.map((id) => bytesOf.get(id)!));
      const cases = openCases({ maxOpenCaseBytes: bound });
      const inViewer = await cases.openInViewer(viewer, READER, null);
      const openB = await cases.open(others[0], READER, null);
      expect([isOpen(cases, inViewer), isOpen(cases, openB)]).toEqual([true, true]);
      const openC = await cases.open(others[1], READER, null);
      expect([isOpen(cases, inViewer), isOpen(cases, openB), isOpen(cases, openC)]).toEqual([
        true,
        false,
        true,
      ]);
      const openD = await cases.open(others[2], READER, null);
      expect([inViewer, openB, openC, openD].map((open) => isOpen(cases, open))).toEqual([
        true,
        false,
        false,
        true,
      ]);
    });

    it('keeps the case just opened and the viewer’s even when either alone is over the bound', async () => {
      const [first, second, third, fourth] = caseIds;
      const cases = openCases({ maxOpenCaseBytes: 1 });
      const openFirst = await cases.openInViewer(first, READER, null);
      expect(isOpen(cases, openFirst)).toBe(true);
      const openSecond = await cases.open(second, READER, null);
      expect([openFirst, openSecond].map((open) => isOpen(cases, open))).toEqual([true, true]);
      const openThird = await cases.openInViewer(third, READER, null);
      // The first is still the viewer's while the third opens: the second goes.
      expect([openFirst, openSecond, openThird].map((open) => isOpen(cases, open))).toEqual([
        true,
        false,
        true,
      ]);
      // The viewer has moved on to the third: now the first goes too.
      const openFourth = await cases.open(fourth, READER, null);
      expect(
        [openFirst, openSecond, openThird, openFourth].map((open) => isOpen(cases, open)),
      ).toEqual([false, false, true, true]);
    });
  },
);
