/**
 * The set-up the store's integration tests share: a temporary folder, the real engine over the
 * models under test (cli-helpers: the shipped ones unless SPV_TEST_MODELS_DIR says otherwise), store
 * services keeping their data in that folder, and sample images copied in to import.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/engine';
import { createStoreService, type StoreService } from '../../src/store-service/service';
import { HAVE_MODELS, HAVE_SAMPLES, MODELS_DIR, SAMPLES_DIR } from './cli-helpers';

/** Whether the models and their sample cases are there: the store's engine tests need both. */
export const HAVE_MODELS_AND_SAMPLES = HAVE_MODELS && HAVE_SAMPLES;

/** Says in the run's output why `name`'s tests are skipped, when they are. */
export function warnWhenSkipped(name: string): void {
  if (!HAVE_MODELS_AND_SAMPLES)
    console.warn(
      `${name} tests skipped: models/manifest.json or models/samples/ is not there yet (export the models first)`,
    );
}

export interface StoreHarness {
  /** The temporary folder: data folders, copied images and exports go in it. */
  dir: string;
  engine: Engine;
  /** A store service keeping its data in `<dir>/<dataName>`; closed by close(). */
  openService(dataName?: string): StoreService;
  /** Closes the services opened here and the engine, then removes the folder. */
  close(): Promise<void>;
}

/** A temporary folder named from `prefix` and the engine over the models under test. */
export async function startStoreHarness(prefix: string): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let engine: Engine;
  try {
    engine = await createEngine({ modelsDir: MODELS_DIR, samplesDir: SAMPLES_DIR, host: 'web' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const services: StoreService[] = [];
  return {
    dir,
    engine,
    openService(dataName = 'data') {
      const service = createStoreService({ dataDir: join(dir, dataName), engine });
      services.push(service);
      return service;
    },
    async close() {
      for (const service of services) service.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies each sample's coronal and transverse files (`<sample>_<view>.<ext>`) from the samples into
 * `folder`. A file that is not there fails the set-up, unless `skipMissing` (for samples that
 * have one view, or no calibration file).
 */
export function copySamples(
  folder: string,
  samples: readonly string[],
  {
    exts = ['png', 'json'],
    skipMissing = false,
  }: { exts?: readonly string[]; skipMissing?: boolean } = {},
): void {
  for (const sample of samples)
    for (const view of ['coronal', 'transverse'])
      for (const ext of exts) {
        const name = `${sample}_${view}.${ext}`;
        if (skipMissing && !existsSync(join(SAMPLES_DIR, name))) continue;
        copyFileSync(join(SAMPLES_DIR, name), join(folder, name));
      }
}

/**
 * Copies `sample`'s coronal image and sidecar under the transverse name and the other way round:
 * a case imported with its views named the wrong way round.
 */
export function copySwappedSample(folder: string, sample = 'sample-05'): void {
  for (const [from, to] of [
    ['coronal', 'transverse'],
    ['transverse', 'coronal'],
  ])
    for (const ext of ['png', 'json'])
      copyFileSync(
        join(SAMPLES_DIR, `${sample}_${from}.${ext}`),
        join(folder, `${sample}_${to}.${ext}`),
      );
}

/**
 * A case of `sample` as a reader leaves it ready to sign off or export: its files copied into
 * `<harness dir>/<folder>`, imported with the AI run, opened by `reader` and the AI's outlines
 * accepted. Its case id.
 */
export async function importAcceptedSample(
  harness: StoreHarness,
  service: StoreService,
  { sample, reader, folder = 'images' }: { sample: string; reader: string; folder?: string },
): Promise<string> {
  const images = join(harness.dir, folder);
  mkdirSync(images);
  copySamples(images, [sample]);
  const report = await service.importPaths({ paths: [images], runAi: true });
  if (report.failed.length > 0)
    throw new Error(`The set-up could not import ${sample}: ${JSON.stringify(report.failed)}`);
  const caseId = report.caseIds[0];
  await service.openStoredCase({ caseId, reader });
  await service.acceptAi({ caseId, reader });
  return caseId;
}
