/**
 * --provider and --threads of the commands that load the models: a typo is a usage error (exit 2),
 * never a silent run on the defaults.
 */
import { describe, it, expect } from 'vitest';
import { sessionOptionsFromArgs } from '../../src/cli/engine-options';
import { UsageError } from '../../src/cli/usage';

function usageError(values: { provider?: string; threads?: string }): UsageError {
  try {
    sessionOptionsFromArgs(values);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${JSON.stringify(values)} was accepted`);
}

describe('cli-options: --threads', () => {
  it('takes a whole number ≥ 1', () => {
    expect(sessionOptionsFromArgs({ threads: '2' }).intraOpNumThreads).toBe(2);
    expect(sessionOptionsFromArgs({}).intraOpNumThreads).toBeUndefined();
  });

  it('refuses anything else, quoting it', () => {
    for (const threads of ['abc', '0', '-2', '1.5', '', '2x']) {
      expect(usageError({ threads }).message).toBe(
        `--threads needs a whole number ≥ 1, got "${threads}"`,
      );
    }
  });
});

describe('cli-options: --provider', () => {
  it('takes known names, in order, case-insensitively', () => {
    expect(sessionOptionsFromArgs({ provider: 'cuda, CPU' }).preferredProviders).toEqual([
      'cuda',
      'cpu',
    ]);
    expect(sessionOptionsFromArgs({}).preferredProviders).toBeUndefined();
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(usageError({ provider: 'gpu' }).message).toBe(
      '--provider "gpu" is not a provider: give one of cpu, cuda, tensorrt, dml, webgpu, coreml ' +
        '(or several, comma-separated, in order of preference)',
    );
    expect(usageError({ provider: 'cuda,gpu' }).message).toMatch(/"gpu" is not a provider/);
    expect(usageError({ provider: ' , ' }).message).toMatch(/^--provider needs a name/);
  });
});
