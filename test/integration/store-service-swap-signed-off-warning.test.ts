/**
 * A signed-off case says "this change is not saved" only when a change was asked for: the viewer
 * estimates the case as it shows it (right after sign-off, on every reopen) from the latest
 * estimate's own inputs, and that must not read as a refused change. Real store, real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CaliperLine, EstimateRequest } from '../../src/api/contract';
import type { StoredCaseView } from '../../src/api/store-contract';
import type { StoreService } from '../../src/store-service/service';
import {
  HAVE_MODELS_AND_SAMPLES,
  copySamples,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';
import { withoutLastRow } from './store-mask-edits-fixture';

const READER = 'Dr Swap';
const NOT_SAVED = /signed off: this change is not saved/;

warnWhenSkipped('Signed-off warning');

/** The request a viewer sends as it shows a stored case: the latest estimate's own inputs. */
function asShown(view: StoredCaseView): EstimateRequest {
  return {
    caseId: view.view.caseId,
    masks: view.currentMasks!,
    patient: view.patient,
    caliperLines: view.caliperLines,
  };
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('estimates of a signed-off case', () => {
  let harness: StoreHarness;
  let service: StoreService;
  let caseId: string;
  let signed: StoredCaseView;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-swap-warning-');
    const folder = join(harness.dir, 'in');
    mkdirSync(folder);
    copySamples(folder, ['sample-01']);
    service = harness.openService();
    caseId = (await service.importPaths({ paths: [folder] })).caseIds[0];
    const opened = await service.openStoredCase({ caseId, reader: READER });
    // The reader's own inputs, so that the comparison covers them too.
    const line: CaliperLine = { view: 'coronal', kind: 'length', a: [40, 150], b: [300, 150] };
    await service.estimate({
      ...asShown(opened),
      patient: { ageYears: 40, sex: 'male', heightCm: 180 },
      caliperLines: [line],
    });
    const summary = (await service.getCase({ caseId })).summary;
    await service.signOff({ caseId, reader: READER, checked: summary.checkFirst });
    signed = await service.openStoredCase({ caseId, reader: READER });
    expect(signed.locked).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('does not claim a refused change when the viewer shows the case as signed', async () => {
    const shown = await service.estimate(asShown(signed));
    expect(shown.warnings.join(' ')).not.toMatch(NOT_SAVED);
    expect(shown.volumeMl).toBe(signed.estimate!.volumeMl);
  });

  it('does not claim it on a reopen either (a fresh service: the engine opens the case again)', async () => {
    const later = harness.openService();
    const reopened = await later.openStoredCase({ caseId, reader: READER });
    const shown = await later.estimate(asShown(reopened));
    expect(shown.warnings.join(' ')).not.toMatch(NOT_SAVED);
  });

  it('says the change is not saved when the masks, patient inputs or calipers differ', async () => {
    const base = asShown(signed);
    const changes: EstimateRequest[] = [
      { ...base, masks: { ...base.masks, coronal: withoutLastRow(base.masks.coronal) } },
      { ...base, patient: { ageYears: 41, sex: 'male', heightCm: 180 } },
      { ...base, patient: null },
      { ...base, caliperLines: [] },
    ];
    const before = (await service.getCase({ caseId })).audit.length;
    for (const change of changes) {
      const answer = await service.estimate(change);
      expect(answer.warnings.join(' ')).toMatch(NOT_SAVED);
    }
    // Nothing of it was saved.
    expect((await service.getCase({ caseId })).audit).toHaveLength(before);
  });
});
