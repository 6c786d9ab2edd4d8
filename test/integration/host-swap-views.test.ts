/**
 * swapViews through a host, as the renderer calls it: the renderer's SpvApi client over HTTP, the
 * web host's dispatch (validation included), the real store service and engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWebHost, type WebHost } from '../../main/http-server';
import { createHttpApi } from '../../renderer/api-client';
import type { SpvApi } from '../../src/api';
import {
  HAVE_MODELS_AND_SAMPLES,
  copySwappedSample,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';

warnWhenSkipped('Host view swap');

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('swapViews through the web host', () => {
  let harness: StoreHarness;
  let host: WebHost;
  let api: SpvApi;
  let folder: string;

  beforeAll(async () => {
    harness = await startStoreHarness('spv-host-swap-');
    folder = join(harness.dir, 'in');
    mkdirSync(folder);
    const rendererDir = join(harness.dir, 'renderer');
    mkdirSync(rendererDir);
    host = await startWebHost({
      service: harness.openService(),
      rendererDir,
      allowedRoots: [harness.dir],
    });
    api = createHttpApi(host.token, `http://127.0.0.1:${host.port}`);
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await harness?.close();
  });

  it('swaps a stored case and answers its summary; refusals come back with their reason', async () => {
    copySwappedSample(folder);
    const [caseId] = (await api.importPaths({ paths: [folder], runAi: true })).caseIds;
    expect((await api.getCase({ caseId })).summary.checkFirst).toContain('views look swapped');

    const swapped = await api.swapViews({ caseId, reader: 'Dr Host' });
    expect(swapped.checkFirst).not.toContain('views look swapped');
    const detail = await api.getCase({ caseId });
    expect(detail.images.find((i) => i.view === 'coronal')?.originalPath).toMatch(
      /sample-05_transverse\.png$/,
    );
    expect(detail.audit.some((a) => a.action === 'case.swap-views' && a.actor === 'Dr Host')).toBe(
      true,
    );

    await expect(api.swapViews({ caseId, reader: '  ' })).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/reader: a reader name is required/),
    });
    await api.signOff({ caseId, reader: 'Dr Host', checked: swapped.checkFirst });
    await expect(api.swapViews({ caseId, reader: 'Dr Host' })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/unlock it with a reason/),
    });
  });
});
