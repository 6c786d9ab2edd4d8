/**
 * StoreService.importPaths reports a case the AI could not run on after the import in `aiFailed`
 * (the case and the error's own message), not among the files that failed to import: its images
 * were imported (import-report-fields). A report of the previous version, without the new fields,
 * still parses. Real sample files, a real store and the real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImportReportSchema } from '../../src/api/store-contract';
import { SAMPLES_DIR } from './cli-helpers';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  warnWhenSkipped,
  type StoreHarness,
} from './store-engine-harness';

warnWhenSkipped('store-import-report-fields');

describe('ImportReport of the previous version (import-report-fields)', () => {
  it('parses with the new fields empty', () => {
    const previous = {
      imported: [],
      duplicates: [{ path: '/a.png', reason: 'already imported as /b.png (case 1)' }],
      failed: [],
      skipped: [],
      caseIds: [],
    };
    expect(ImportReportSchema.parse(previous)).toEqual({
      ...previous,
      relocated: [],
      aiFailed: [],
    });
  });
});

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)(
  'StoreService.importPaths: aiFailed (import-report-fields)',
  () => {
    let harness: StoreHarness;

    beforeAll(async () => {
      harness = await startStoreHarness('spv-import-report-fields-');
    });
    afterAll(() => harness?.close());

    it('reports a case the AI could not run on as a case, apart from the files that failed', async () => {
      const folder = join(harness.dir, 'alone');
      mkdirSync(folder);
      // A transverse image alone: imported, but the AI needs a coronal view.
      const lone = join(folder, 'lone_transverse.png');
      copyFileSync(join(SAMPLES_DIR, 'sample-06_transverse.png'), lone);
      const service = harness.openService();
      const report = ImportReportSchema.parse(
        await service.importPaths({ paths: [folder], runAi: true }),
      );
      const caseId = report.caseIds[0];
      expect(report.imported).toEqual([{ path: lone, caseId, view: 'transverse' }]);
      // Before, the case was listed among the failed files as "case N".
      expect(report.failed).toEqual([]);
      expect(report.aiFailed).toEqual([
        { caseId, reason: expect.stringMatching(/^Case \d+ has no coronal image/) },
      ]);
      // Said once: the reason is the error's message, the field says that the AI did not run.
      expect(report.aiFailed[0].reason).not.toMatch(/the AI did not run/);
      expect(report.ai).toEqual([
        expect.objectContaining({
          caseId,
          volumeMl: null,
          noVolumeReason: `the AI did not run: ${report.aiFailed[0].reason}`,
        }),
      ]);

      // Without the AI nothing runs, and nothing is reported as failed to run.
      const plain = await service.importPaths({ paths: [folder] });
      expect(plain.aiFailed).toEqual([]);
    });
  },
);
