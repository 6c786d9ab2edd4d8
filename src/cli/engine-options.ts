/** Options shared by the commands that load the models. */
import type { ParseArgsConfig } from 'node:util';
import { createEngine, type Engine } from '../engine/engine';
import { findModelsDir } from './models-dir';

export const engineOptionSpecs = {
  models: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export async function engineFromArgs(values: {
  models?: string;
  provider?: string;
  threads?: string;
}): Promise<Engine> {
  const modelsDir = findModelsDir(values.models);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  return createEngine({
    modelsDir,
    host: 'web',
    sessionOptions: {
      preferredProviders: values.provider
        ? values.provider.split(',').map((p) => p.trim())
        : undefined,
      intraOpNumThreads: threads && Number.isInteger(threads) && threads > 0 ? threads : undefined,
    },
  });
}
