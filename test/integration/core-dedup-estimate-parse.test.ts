/**
 * An estimate is checked against the contract once, where the engine makes it (Engine.estimate
 * parses its internal estimate into the API's Estimate); the store service hands that answer on
 * (and saves it) without parsing it again. Real store, real engine; EstimateSchema.parse is only
 * counted (it still runs).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EstimateSchema } from '../../src/api/contract';
import type { StoreService } from '../../src/store-service/service';
import {
  HAVE_MODELS_AND_SAMPLES,
  copySamples,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';

warnWhenSkipped('Estimate parsed once');

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('an estimate through the store service', () => {
  let harness: StoreHarness;
  let service: StoreService;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-core-dedup-parse-');
    const folder = join(harness.dir, 'in');
    mkdirSync(folder);
    copySamples(folder, ['sample-01']);
    service = harness.openService();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await harness?.close();
  });

  it('is parsed once, by the engine, for a stored case and for a case not stored', async () => {
    const caseId = (await service.importPaths({ paths: [join(harness.dir, 'in')] })).caseIds[0];
    const stored = await service.openStoredCase({ caseId, reader: 'dr. once' });
    const sample = await service.openSample({ sampleId: 'sample-02' });
    const parse = vi.spyOn(EstimateSchema, 'parse');
    const estimate = await service.estimate({
      caseId: stored.view.caseId,
      masks: stored.currentMasks!,
    });
    expect(parse).toHaveBeenCalledTimes(1);
    // What the engine parsed is what the service answers (and saved).
    expect(estimate).toEqual(parse.mock.results[0].value);
    expect((await service.getCase({ caseId })).summary.volumeMl).toBe(estimate.volumeMl);
    parse.mockClear();
    const aiMasks = {
      coronal: await service.segment({ caseId: sample.caseId, view: 'coronal' }),
      transverse: await service.segment({ caseId: sample.caseId, view: 'transverse' }),
    };
    await service.estimate({ caseId: sample.caseId, masks: aiMasks });
    expect(parse).toHaveBeenCalledTimes(1);
  });
});
