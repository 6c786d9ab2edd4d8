/**
 * CaseStore.viewsSwappedSinceImport, behind the summary's `views_swapped` column and the report's
 * "Views" line: true once a case's views were swapped in the app, false again once swapped back
 * (each image is then under the name it was imported with), false for a case never swapped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../../src/store/store';
import { encodeMaskPng } from '../../src/store/mask-png';
import { ellipseMask } from './store-fixtures';

let dir: string;
let store: CaseStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spv-store-export-columns-'));
  store = CaseStore.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A two-view case with an AI outline on each view: what a swap needs. */
async function twoViewCase(title: string): Promise<number> {
  const patientId = store.upsertPatient({ key: `SYNTH-${title}` });
  const caseId = store.createCase(
    { patientId, studyInstanceUid: null, studyDate: null, title },
    'importer',
  );
  for (const view of ['coronal', 'transverse'] as const) {
    store.addImage(
      {
        caseId,
        view,
        contentHash: `${caseId}-${view}`,
        sopInstanceUid: null,
        originalPath: `/in/${title}_${view}.png`,
        format: 'png',
        width: 40,
        height: 30,
        calibration: null,
        meta: {},
      },
      'importer',
    );
    store.addMask({
      caseId,
      view,
      source: 'ai',
      author: 'model',
      width: 40,
      height: 30,
      areaPx: 10,
      png: await encodeMaskPng(ellipseMask(40, 30, 10, 8), 40, 30),
    });
  }
  return caseId;
}

describe('whether a case’s views are swapped since import', () => {
  it('is true after a swap, false again after a swap back, and false for a case never swapped', async () => {
    const swapped = await twoViewCase('swapped');
    const plain = await twoViewCase('plain');
    expect(store.viewsSwappedSinceImport(swapped)).toBe(false);
    store.swapViews(swapped, 'dr. a');
    expect(store.viewsSwappedSinceImport(swapped)).toBe(true);
    expect(store.viewsSwappedSinceImport(plain)).toBe(false);
    store.swapViews(swapped, 'dr. a');
    expect(store.viewsSwappedSinceImport(swapped)).toBe(false);
  });
});
