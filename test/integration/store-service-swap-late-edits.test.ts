/**
 * Two ways an estimate's check-first list or a swap could be got round: an estimate saved before
 * estimates said what to check first (schema 7) must not stand as the one sign-off signs, and an
 * edit drawn on a case's images before its views were swapped must be refused, not answered from
 * the old copy or saved onto the other image. Real store, real engine.
 */
import { INPUTS_NOT_CHECKED } from '../../src/clinical/check-first';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HAVE_MODELS_AND_SAMPLES,
  copySwappedSample,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';

const READER = 'Dr Late';
const SWAPPED = 'views look swapped';

warnWhenSkipped('Late edits around a swap');

/** Imports `sample` with its coronal and transverse files under each other's names. */
function swappedFolder(harness: StoreHarness, sample: string): string {
  const folder = join(harness.dir, sample);
  mkdirSync(folder);
  copySwappedSample(folder, sample);
  return folder;
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)(
  'estimates and edits around check-first and swaps',
  () => {
    let harness: StoreHarness;

    beforeAll(async () => {
      harness = await startStoreHarness('spv-swap-late-');
    }, 120_000);
    afterAll(async () => harness?.close());

    it('estimates again a case whose latest estimate predates check-first lists', async () => {
      let service = harness.openService('pre7');
      const [caseId] = (await service.importPaths({ paths: [swappedFolder(harness, 'sample-05')] }))
        .caseIds;
      await service.openStoredCase({ caseId, reader: READER });
      service.close();
      // As an estimate saved before schema 7 reads after the upgrade: neither list.
      const db = new Database(join(harness.dir, 'pre7', 'spv-cases.sqlite'));
      db.exec('UPDATE estimates SET uncertain_outline_json = NULL, input_doubts_json = NULL');
      db.close();

      service = harness.openService('pre7');
      const before = (await service.listCases({}))[0];
      // Nothing was checked, which is not nothing to check.
      expect(before.checkFirst).toEqual([INPUTS_NOT_CHECKED]);
      await expect(
        service.signOff({ caseId, reader: READER, estimateId: before.estimateId!, checked: [] }),
      ).rejects.toThrow(/made before this version checked an estimate's inputs/);

      // The viewer estimates the case as it shows it: same masks, same inputs. Saved this time.
      const opened = await service.openStoredCase({ caseId, reader: READER });
      await service.estimate({ caseId: opened.view.caseId, masks: opened.currentMasks! });
      const after = (await service.listCases({}))[0];
      expect(after.estimateId).not.toBe(before.estimateId);
      expect(after.checkFirst).toContain(SWAPPED);
      await expect(
        service.signOff({ caseId, reader: READER, estimateId: after.estimateId!, checked: [] }),
      ).rejects.toThrow(/check first: "views look swapped"/);
    });

    it('refuses an edit drawn before the swap, by estimate or by save, and saves nothing', async () => {
      const service = harness.openService('swap');
      const [caseId] = (await service.importPaths({ paths: [swappedFolder(harness, 'sample-01')] }))
        .caseIds;
      const opened = await service.openStoredCase({ caseId, reader: READER });
      const oldView = opened.view.caseId;
      await service.swapViews({ caseId, reader: READER });
      const masks = service.store.masks(Number(caseId)).length;
      const estimates = service.store.latestEstimate(Number(caseId))!.id;

      await expect(
        service.estimate({ caseId: oldView, masks: opened.currentMasks! }),
      ).rejects.toThrow(/views were swapped after this edit was drawn.*not saved/);
      await expect(
        service.saveCorrection({
          caseId,
          reader: READER,
          masks: opened.currentMasks!,
          masksOnly: true,
          viewCaseId: oldView,
        }),
      ).rejects.toThrow(/views were swapped after this edit was drawn/);
      expect(service.store.masks(Number(caseId))).toHaveLength(masks);
      expect(service.store.latestEstimate(Number(caseId))!.id).toBe(estimates);

      // The case as it is now takes edits as before.
      const reopened = await service.openStoredCase({ caseId, reader: READER });
      await service.saveCorrection({
        caseId,
        reader: READER,
        masks: reopened.currentMasks!,
        masksOnly: true,
        viewCaseId: reopened.view.caseId,
      });
    });
  },
);
