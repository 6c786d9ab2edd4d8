/**
 * `spv import --ai` says what the AI found for each imported case (the volume, or why there is
 * none, and what to check first), the API's ImportReport carries the same, and the exit status
 * tells a script when a file or an AI run failed (built CLI and store service, real models).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportReportSchema } from '../../src/api/store-contract';
import { HAVE_MODELS, HAVE_SAMPLES, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';
import {
  copySamples,
  copySwappedSample,
  startStoreHarness,
  type StoreHarness,
} from './store-engine-harness';

/** A folder under `dir` holding what every test imports: one calibrated pair, one bare PNG. */
function studyFolder(dir: string, name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  copySamples(folder, ['sample-01']);
  // Its coronal view without the JSON sidecar that calibrates it: no calibration, no volume.
  copyFileSync(join(SAMPLES_DIR, 'sample-02_coronal.png'), join(folder, 'sample-02_coronal.png'));
  return folder;
}

const VOLUME_LINE = (title: string) =>
  new RegExp(
    `^  case \\d+ ${title}: \\d+ mL \\(95% interval \\d+ mL – \\d+ mL\\), (single|dual)-view model; (normal|enlarged)\\?? \\(adult volume`,
    'm',
  );
const UNCALIBRATED_LINE =
  /^ {2}case \d+ sample-02: no volume: sample-02_coronal\.png has no calibration \(no physical pixel size\): calibrate it on the depth ruler/m;

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)('spv import --ai (import-ai)', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'spv-cli-import-ai-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints each case: its volume, or why there is none, and what to check first; exit 0', async () => {
    const folder = studyFolder(dir, 'day');
    copySwappedSample(folder);
    const run = await runSpv(['import', folder, '--ai', '--data-dir', join(dir, 'day-data')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Imported 5 image\(s\) into 3 case\(s\)/);
    expect(run.stdout).toMatch(VOLUME_LINE('sample-01'));
    expect(run.stdout).toMatch(UNCALIBRATED_LINE);
    // The swapped pair gets a volume whose verdicts read unverified, and says what to check.
    expect(run.stdout).toMatch(
      /^ {2}case \d+ sample-05: \d+ mL .*normal\? \(adult volume.*\n {4}check first: views look swapped/m,
    );
    // A calibrated pair the right way round asks for nothing.
    expect(run.stdout).not.toMatch(/sample-01:.*\n {4}check first/);
    expect(run.stderr).not.toMatch(/problem/);

    // Importing the same files again: only duplicates, no case and nothing new to say.
    const again = await runSpv(['import', folder, '--ai', '--data-dir', join(dir, 'day-data')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Imported 0 image\(s\) into 0 case\(s\)\nSkipped 5 duplicate/);
  });

  it('exits 3 when a file is broken or the AI fails on a case, saying so last; the rest is imported', async () => {
    const folder = studyFolder(dir, 'broken');
    // A PNG cut short, as an interrupted copy leaves it.
    const png = readFileSync(join(SAMPLES_DIR, 'sample-04_coronal.png'));
    writeFileSync(join(folder, 'cut_coronal.png'), png.subarray(0, 300));
    // A transverse image alone: imported, but the AI needs a coronal view.
    copyFileSync(
      join(SAMPLES_DIR, 'sample-06_transverse.png'),
      join(folder, 'lone_transverse.png'),
    );
    const run = await runSpv(['import', folder, '--ai', '--data-dir', join(dir, 'broken-data')]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(VOLUME_LINE('sample-01'));
    expect(run.stdout).toMatch(UNCALIBRATED_LINE);
    expect(run.stdout).toMatch(
      /^ {2}case \d+ lone: no volume: the AI did not run: .*no coronal image/m,
    );
    expect(run.stderr).toMatch(/cut_coronal\.png: the PNG file could not be decoded/);
    // The case the AI could not run on is said as a case, not as a file "case N".
    expect(run.stderr).toMatch(
      /^ {2}the AI did not run on case \d+: Case \d+ has no coronal image/m,
    );
    expect(run.stderr).not.toMatch(/^ {2}case \d+:/m);
    expect(run.stderr.trimEnd().split('\n').pop()).toBe(
      'spv import: 2 problem(s), listed above; the rest was imported.',
    );
  });

  it('exits 3 when only the AI failed, saying that every file was imported (import-report-fields)', async () => {
    const folder = join(dir, 'ai-only');
    mkdirSync(folder);
    copyFileSync(
      join(SAMPLES_DIR, 'sample-06_transverse.png'),
      join(folder, 'lone_transverse.png'),
    );
    const run = await runSpv(['import', folder, '--ai', '--data-dir', join(dir, 'ai-only-data')]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Imported 1 image\(s\) into 1 case\(s\)/);
    expect(run.stderr).toMatch(
      /^1 problem\(s\):\n {2}the AI did not run on case 1: Case 1 has no coronal image/m,
    );
    expect(run.stderr.trimEnd().split('\n').pop()).toBe(
      'spv import: 1 problem(s), listed above; no file failed to import.',
    );
  });

  it('exits 3 for a broken file without --ai too', async () => {
    const folder = join(dir, 'plain');
    mkdirSync(folder);
    copySamples(folder, ['sample-03']);
    writeFileSync(join(folder, 'empty_coronal.png'), Buffer.alloc(0));
    const run = await runSpv(['import', folder, '--data-dir', join(dir, 'plain-data')]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Imported 2 image\(s\) into 1 case\(s\)/);
    // Without the AI there is nothing to say per case.
    expect(run.stdout).not.toMatch(/^ {2}case/m);
    expect(run.stderr.trimEnd().split('\n').pop()).toBe(
      'spv import: 1 problem(s), listed above; the rest was imported.',
    );
  });
});

describe.skipIf(!HAVE_MODELS || !HAVE_SAMPLES)(
  'StoreService.importPaths: ImportReport.ai (import-ai)',
  () => {
    let harness: StoreHarness;

    beforeAll(async () => {
      harness = await startStoreHarness('spv-import-ai-');
    });
    afterAll(() => harness?.close());

    it('gives each imported case the AI’s volume or the reason for none, validated by the contract', async () => {
      const folder = studyFolder(harness.dir, 'day');
      copySwappedSample(folder);
      const service = harness.openService();
      const report = ImportReportSchema.parse(
        await service.importPaths({ paths: [folder], runAi: true }),
      );
      expect(report.ai?.map((r) => r.caseId)).toEqual(report.caseIds);
      const byTitle = new Map(report.ai?.map((r) => [r.title, r]));

      const calibrated = byTitle.get('sample-01');
      expect(calibrated).toMatchObject({ mode: 'dual', noVolumeReason: null, checkFirst: [] });
      // The store's latest estimate of the case is what is reported.
      const stored = service.store.latestEstimate(Number(calibrated?.caseId));
      expect(calibrated?.volumeMl).toBe(stored?.estimate.volumeMl);
      expect(calibrated?.ci95Ml).toEqual(stored?.estimate.ci95Ml);
      expect(calibrated?.classification.map((c) => c.status)).toEqual(['normal', 'normal']);

      expect(byTitle.get('sample-02')).toMatchObject({
        volumeMl: null,
        ci95Ml: null,
        mode: null,
        classification: [],
        checkFirst: [],
      });
      expect(byTitle.get('sample-02')?.noVolumeReason).toMatch(
        /^sample-02_coronal\.png has no calibration/,
      );
      expect(byTitle.get('sample-05')?.checkFirst).toContain('views look swapped');

      // Without the AI there is nothing to report per case: the field stays absent.
      const plain = join(harness.dir, 'plain');
      mkdirSync(plain);
      copySamples(plain, ['sample-03']);
      const without = await service.importPaths({ paths: [plain] });
      expect(without.caseIds).toHaveLength(1);
      expect(without.ai).toBeUndefined();
    });
  },
);
