/**
 * The order in which a stored case's edits are saved, whatever the transport (the real store and
 * the real engine with the shipped models). Over the web host each call is its own HTTP request,
 * and two sent a few ms apart can reach the service the other way round: each edit then carries
 * its place among its viewer's edits (EditOrder), and an edit older than one of the same viewer
 * already saved is answered but not saved. Calls without one, and another viewer's, are saved as
 * they arrive, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWebHost } from '../../main/http-server';
import type { StoreService } from '../../src/store-service/service';
import type { EditOrder } from '../../src/api/contract';
import {
  copySamples,
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from './store-engine-harness';
import { trimmed, withCoronal } from './store-mask-edits-fixture';

const SAMPLES = ['sample-01', 'sample-02', 'sample-03', 'sample-04', 'sample-05', 'sample-06'];
const READER = 'Dr. Save Order';
const VIEWER = 'viewer-page-1';
const order = (seq: number, viewer = VIEWER): EditOrder => ({ viewer, seq });

let harness: StoreHarness;
let dir: string;
let service: StoreService;
const ids: Record<string, string> = {};

/** Opens a stored case in the viewer: its engine id and two edits, the older and the newer. */
async function openWithTwoEdits(title: string) {
  const caseId = ids[title];
  const opened = await service.openStoredCase({ caseId, reader: READER });
  const ai = opened.aiMasks!;
  return {
    caseId,
    engineCaseId: opened.view.caseId,
    opened,
    older: withCoronal(ai, trimmed(ai.coronal, 300)),
    newer: withCoronal(ai, trimmed(ai.coronal, 1500)),
  };
}

/** The case's saved state: its latest masks (as a reopen gives them) and its latest estimate. */
async function savedState(caseId: string) {
  const reopened = await service.openStoredCase({ caseId, reader: READER });
  const detail = await service.getCase({ caseId });
  return {
    currentMasks: reopened.currentMasks,
    finalVolumeMl: detail.finalEstimate?.volumeMl ?? null,
    estimateSaves: detail.audit.filter((a) => a.action === 'estimate.save').length,
    coronalVersions: detail.masks.filter((m) => m.view === 'coronal').length,
  };
}

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('the order a stored case’s edits are saved in', () => {
  beforeAll(async () => {
    harness = await startStoreHarness('spv-save-order-');
    dir = harness.dir;
    service = harness.openService();
    const images = join(dir, 'images');
    mkdirSync(images);
    copySamples(images, SAMPLES, { skipMissing: true });
    await service.importPaths({ paths: [images] });
    for (const c of await service.listCases({})) ids[c.title] = c.caseId;
    expect(Object.keys(ids)).toEqual(expect.arrayContaining(SAMPLES));
  });
  afterAll(() => harness?.close());

  it('keeps a newer masks-only save when an older estimate arrives after it, and signs off only an estimate of the newer masks', async () => {
    const { caseId, engineCaseId, opened, older, newer } = await openWithTwoEdits('sample-01');
    const before = await savedState(caseId);
    // Sent: the estimate of the older edit (1), then the newer edit's save while it ran (2).
    // Arrived: the save first.
    await service.saveCorrection({
      caseId,
      reader: READER,
      masks: newer,
      masksOnly: true,
      editOrder: order(2),
    });
    const late = await service.estimate({
      caseId: engineCaseId,
      masks: older,
      editOrder: order(1),
    });
    // Still estimated and answered (the viewer drops a stale answer itself)…
    expect(late.volumeMl).toBeGreaterThan(0);
    expect(late.volumeMl).not.toBe(opened.estimate!.volumeMl);
    // …but neither its masks nor its estimate are the case's latest.
    const after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(newer.coronal);
    expect(after.coronalVersions).toBe(before.coronalVersions + 1);
    expect(after.estimateSaves).toBe(before.estimateSaves);
    expect(after.finalVolumeMl).toBe(opened.estimate!.volumeMl);
    // The latest estimate is not one of the current masks: nothing to sign off yet.
    await expect(service.signOff({ caseId, reader: READER })).rejects.toThrow(
      /the mask was edited after its latest estimate/,
    );
    // The estimate the viewer sends next, of the newer masks, is the one signed off.
    const fresh = await service.estimate({
      caseId: engineCaseId,
      masks: newer,
      editOrder: order(3),
    });
    const signed = await service.signOff({ caseId, reader: READER });
    expect(signed.volumeMl).toBe(fresh.volumeMl);
    expect(fresh.volumeMl).not.toBe(late.volumeMl);
  });

  it('keeps a newer estimate when an older one arrives after it', async () => {
    const { caseId, engineCaseId, older, newer } = await openWithTwoEdits('sample-02');
    const newest = await service.estimate({
      caseId: engineCaseId,
      masks: newer,
      editOrder: order(11),
    });
    const late = await service.estimate({
      caseId: engineCaseId,
      masks: older,
      editOrder: order(10),
    });
    expect(late.volumeMl).not.toBe(newest.volumeMl);
    const after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(newer.coronal);
    expect(after.finalVolumeMl).toBe(newest.volumeMl);
    const signed = await service.signOff({ caseId, reader: READER });
    expect(signed.volumeMl).toBe(newest.volumeMl);
  });

  it('keeps a newer estimate when an older masks-only save arrives after it', async () => {
    const { caseId, engineCaseId, older, newer } = await openWithTwoEdits('sample-03');
    const newest = await service.estimate({
      caseId: engineCaseId,
      masks: newer,
      editOrder: order(21),
    });
    const summary = await service.saveCorrection({
      caseId,
      reader: READER,
      masks: older,
      masksOnly: true,
      editOrder: order(20),
    });
    // Answered with the case as it stands: the newer edit's volume.
    expect(summary.volumeMl).toBe(newest.volumeMl);
    const after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(newer.coronal);
    expect(after.finalVolumeMl).toBe(newest.volumeMl);
  });

  it('saves edits without an order, and another viewer’s, as they arrive (the last is the latest)', async () => {
    const { caseId, engineCaseId, older, newer } = await openWithTwoEdits('sample-04');
    // A second window (another viewer) with lower numbers: not compared with the first.
    await service.estimate({ caseId: engineCaseId, masks: newer, editOrder: order(50, 'A') });
    const other = await service.estimate({
      caseId: engineCaseId,
      masks: older,
      editOrder: order(1, 'B'),
    });
    let after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(older.coronal);
    expect(after.finalVolumeMl).toBe(other.volumeMl);
    // A caller without an order (the CLI, an older viewer): saved as it arrives, as before.
    const plain = await service.saveCorrection({ caseId, reader: READER, masks: newer });
    after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(newer.coronal);
    expect(after.finalVolumeMl).toBe(plain.volumeMl);
  });

  it('compares the numbers per case: a viewer’s edit of one case does not hold back its older-numbered edit of another', async () => {
    const first = await openWithTwoEdits('sample-05');
    const second = await openWithTwoEdits('sample-03');
    await service.saveCorrection({
      caseId: first.caseId,
      reader: READER,
      masks: first.newer,
      masksOnly: true,
      editOrder: order(100, 'C'),
    });
    // Numbered before, sent to another case, arriving after: saved there.
    await service.saveCorrection({
      caseId: second.caseId,
      reader: READER,
      masks: second.older,
      masksOnly: true,
      editOrder: order(99, 'C'),
    });
    expect((await savedState(second.caseId)).currentMasks!.coronal).toEqual(second.older.coronal);
  });

  it('keeps the accepted AI outline when an edit sent before Accept AI arrives after it', async () => {
    const { caseId, engineCaseId, opened, older } = await openWithTwoEdits('sample-04');
    // Sent: a stroke's estimate (40), then Accept AI (41). Arrived: the acceptance first.
    const accepted = await service.acceptAi({ caseId, reader: READER, editOrder: order(41) });
    await service.estimate({ caseId: engineCaseId, masks: older, editOrder: order(40) });
    const after = await savedState(caseId);
    expect(after.currentMasks!.coronal).toEqual(opened.aiMasks!.coronal);
    expect(after.finalVolumeMl).toBe(accepted.volumeMl);
    // Without an order (the CLI, an older viewer) an edit arriving later is saved, as before.
    await service.estimate({ caseId: engineCaseId, masks: older });
    expect((await savedState(caseId)).currentMasks!.coronal).toEqual(older.coronal);
  });

  it('keeps the order over the web host: a request reaching it late does not save its older edit', async () => {
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>SPV</title>');
    const host = await startWebHost({ service, rendererDir, allowedRoots: [] });
    /** A browser's call: its own HTTP request, answered as JSON. */
    const call = async (method: string, request: unknown) => {
      const reply = await fetch(`http://127.0.0.1:${host.port}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      const body = (await reply.json()) as { result?: { volumeMl: number }; error?: unknown };
      expect(body.error).toBeUndefined();
      return body.result!;
    };
    try {
      const { caseId, engineCaseId, newer, older } = await openWithTwoEdits('sample-06');
      // The older edit's estimate was sent first (31) but its request reaches the host last.
      const newest = await call('estimate', {
        caseId: engineCaseId,
        masks: newer,
        editOrder: order(32, 'web-page'),
      });
      await call('estimate', {
        caseId: engineCaseId,
        masks: older,
        editOrder: order(31, 'web-page'),
      });
      const after = await savedState(caseId);
      expect(after.currentMasks!.coronal).toEqual(newer.coronal);
      expect(after.finalVolumeMl).toBe(newest.volumeMl);
    } finally {
      await host.close();
    }
  });
});
