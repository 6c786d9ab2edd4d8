/** Options shared by the commands that load the models. */
import type { ParseArgsConfig } from 'node:util';
import { createEngine, type Engine } from '../engine/engine';
import { KNOWN_PROVIDERS, providerFallbackNotes, unknownProviders } from '../inference/providers';
import type { SessionOptions } from '../inference/onnx-inference';
import { findModelsDir } from './models-dir';
import { UsageError } from './usage';

export const engineOptionSpecs = {
  models: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export interface EngineArgs {
  models?: string;
  provider?: string;
  threads?: string;
}

/**
 * --provider and --threads as session options. A typo must not run silently on the defaults:
 * an unknown provider name or a --threads that is not a whole number ≥ 1 is a usage error.
 */
export function sessionOptionsFromArgs(values: EngineArgs): SessionOptions {
  let preferredProviders: string[] | undefined;
  if (values.provider !== undefined) {
    preferredProviders = values.provider
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter((p) => p !== '');
    const unknown = unknownProviders(preferredProviders);
    if (preferredProviders.length === 0 || unknown.length > 0) {
      throw new UsageError(
        `--provider ${unknown.length > 0 ? `"${unknown.join('", "')}" is not a provider` : 'needs a name'}: ` +
          `give one of ${KNOWN_PROVIDERS.join(', ')} (or several, comma-separated, in order of preference)`,
      );
    }
  }
  let intraOpNumThreads: number | undefined;
  if (values.threads !== undefined) {
    intraOpNumThreads = /^\s*\d+\s*$/.test(values.threads) ? Number(values.threads) : NaN;
    if (!(intraOpNumThreads >= 1)) {
      throw new UsageError(`--threads needs a whole number ≥ 1, got "${values.threads}"`);
    }
  }
  return { preferredProviders, intraOpNumThreads };
}

/**
 * Load the models as the options say. When --provider named one that is not available here, the
 * models still run (on the next that works, CPU last), and a note on stderr says so: the reader
 * asked for it and must not believe it ran.
 */
export async function engineFromArgs(values: EngineArgs): Promise<Engine> {
  const sessionOptions = sessionOptionsFromArgs(values);
  const engine = await createEngine({
    modelsDir: findModelsDir(values.models),
    host: 'web',
    sessionOptions,
  });
  for (const note of providerFallbackNotes(
    sessionOptions.preferredProviders ?? [],
    engine.inferenceInfo(),
  )) {
    process.stderr.write(`spv: note: ${note}\n`);
  }
  return engine;
}
