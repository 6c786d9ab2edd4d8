/**
 * The session's agreement statistics leave out a reviewed case whose estimate still asks to check
 * something no sign-off confirmed (here a stripe drawn for the coronal outline: "coronal outline
 * implausible"), with the reason; once a sign-off confirms it, the case counts. Real store, real
 * engine and models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUTLINE_IMPLAUSIBLE } from '../../src/clinical/check-first';
import { decodeMaskRle, encodeMaskRle } from '../../src/imaging/mask-codec';
import type { StoreService } from '../../src/store-service/service';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
  warnWhenSkipped,
} from './store-engine-harness';

warnWhenSkipped('store-session-unverified-stats');

const READER = 'Dr. Stats';

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('session statistics and unverified estimates', () => {
  let harness: StoreHarness;
  let service: StoreService;
  const ids: Record<string, string> = {};
  let sessionId: string;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-unverified-stats-');
    service = harness.openService();
    const images = join(harness.dir, 'images');
    mkdirSync(images);
    copySamples(images, ['sample-01', 'sample-03', 'sample-04']);
    await service.importPaths({ paths: [images], runAi: true });
    for (const c of await service.listCases({})) ids[c.title] = c.caseId;
    sessionId = (
      await service.createSession({ reader: READER, caseIds: Object.values(ids), title: null })
    ).sessionId;
    // Two cases accepted as the AI drew them, one corrected into a stripe across the image.
    for (const title of ['sample-01', 'sample-04'])
      await service.acceptAi({ caseId: ids[title], reader: READER });
    const opened = await service.openStoredCase({ caseId: ids['sample-03'], reader: READER });
    const { width, height } = opened.aiMasks!.coronal;
    const stripe = new Uint8Array(width * height);
    const top = Math.floor(height / 2) - 3;
    stripe.fill(1, top * width, (top + 6) * width);
    expect(decodeMaskRle(opened.aiMasks!.coronal).length).toBe(stripe.length);
    await service.saveCorrection({
      caseId: ids['sample-03'],
      reader: READER,
      masks: { ...opened.aiMasks!, coronal: encodeMaskRle(stripe, width, height) },
    });
  });
  afterAll(() => harness?.close());

  it('leaves out the reviewed case whose estimate asks to check first, saying why', async () => {
    const summary = await service.sessionSummary({ sessionId });
    const stripe = summary.rows.find((r) => r.caseId === ids['sample-03'])!;
    expect(stripe.checkFirst).toContain(OUTLINE_IMPLAUSIBLE.coronal);
    expect(summary.notReviewed).toEqual([
      {
        caseId: ids['sample-03'],
        reason: expect.stringMatching(
          /^not verified: its estimate asks to check first \(.*coronal outline implausible.*\) and no sign-off confirmed it$/,
        ),
      },
    ]);
    const aiVsFinal = summary.blandAltman.find((b) => b.name === 'AI vs final')!;
    expect(aiVsFinal.n).toBe(2);
  });

  it('counts it once a sign-off confirmed what it asked', async () => {
    const caseId = ids['sample-03'];
    const toCheck = (await service.getCase({ caseId })).summary.checkFirst;
    await service.signOff({ caseId, reader: READER, checked: toCheck });
    const summary = await service.sessionSummary({ sessionId });
    expect(summary.notReviewed).toEqual([]);
    expect(summary.blandAltman.find((b) => b.name === 'AI vs final')!.n).toBe(3);
  });
});
