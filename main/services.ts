/**
 * Builds the service both hosts expose: the engine (CaseApi) behind the case store (StoreApi),
 * which persists every estimate of a stored case. One place so that Electron and the web host
 * serve exactly the same API.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/engine';
import { createStoreService } from '../src/store-service/service';
import type { Inference } from '../src/inference/types';
import type { HostedService } from './api-dispatch';

export interface AppPaths {
  /** The folder holding models/ (the app root, or resources/app.asar.unpacked when packaged). */
  appRoot: string;
  modelsDir: string;
  samplesDir: string;
  /** Where the cases database and exports live. */
  dataDir: string;
}

export function appPaths(appRoot: string, dataDir: string): AppPaths {
  const modelsDir = join(appRoot, 'models');
  return { appRoot, modelsDir, samplesDir: join(modelsDir, 'samples'), dataDir };
}

export interface Services {
  service: HostedService;
  engine: Engine;
  close(): Promise<void>;
}

export async function createServices(
  paths: AppPaths,
  host: 'electron' | 'web',
  inference?: Inference,
): Promise<Services> {
  const engine = await createEngine({
    modelsDir: paths.modelsDir,
    samplesDir: paths.samplesDir,
    host,
    inference,
  });
  mkdirSync(paths.dataDir, { recursive: true });
  const store = createStoreService({ dataDir: paths.dataDir, engine });
  return {
    service: store,
    engine,
    close: async () => {
      store.close();
      await engine.close();
    },
  };
}
