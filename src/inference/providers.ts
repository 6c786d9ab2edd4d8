/**
 * Which execution providers to try, in order (DESIGN §4): CUDA on Linux x64, DirectML on Windows,
 * then CPU — only among those the binding lists, so the app never asks for a backend it lacks.
 */
import type { ProviderAttempt } from './types';

export interface SupportedBackend {
  name: string;
  bundled: boolean;
}

export interface ProviderPlatform {
  platform: NodeJS.Platform;
  arch: string;
}

/**
 * Every execution provider name onnxruntime-node knows (its listSupportedBackends names, on any
 * platform). A name outside this list is a typo, to be refused, not silently replaced by CPU.
 */
export const KNOWN_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'webgpu', 'coreml'] as const;

/** The names among `names` that no onnxruntime-node build knows. */
export function unknownProviders(names: readonly string[]): string[] {
  const known: readonly string[] = KNOWN_PROVIDERS;
  return names.filter((name) => !known.includes(name));
}

/**
 * The reader asked for `requested` and the models run on `info.provider`: one line per requested
 * provider that was passed over, saying why (from providersTried); empty when the first one ran.
 */
export function providerFallbackNotes(
  requested: readonly string[],
  info: { provider: string; providersTried: readonly ProviderAttempt[] },
): string[] {
  const notes: string[] = [];
  for (const name of requested) {
    if (name === info.provider) break;
    const attempt = info.providersTried.find((tried) => tried.provider === name && !tried.ok);
    notes.push(
      `provider ${name} is not available here (${attempt?.error ?? 'not tried'}); the models run on ${info.provider}`,
    );
  }
  return notes;
}

/** The default preference for a platform, before filtering by what the binding supports. */
export function defaultProviderOrder({ platform, arch }: ProviderPlatform): string[] {
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  return ['cpu'];
}

/**
 * The providers to attempt: the caller's preference (or the platform default), keeping only the
 * backends the binding lists; CPU always ends the list as the last resort.
 */
export function providerCandidates(
  supported: readonly SupportedBackend[],
  where: ProviderPlatform,
  preferred?: readonly string[],
): { candidates: string[]; skipped: ProviderAttempt[] } {
  const listed = new Set(supported.map((backend) => backend.name));
  const wanted = [...(preferred && preferred.length > 0 ? preferred : defaultProviderOrder(where))];
  if (!wanted.includes('cpu')) wanted.push('cpu');
  const candidates: string[] = [];
  const skipped: ProviderAttempt[] = [];
  for (const name of wanted) {
    if (candidates.includes(name)) continue;
    if (listed.has(name)) candidates.push(name);
    else
      skipped.push({
        provider: name,
        ok: false,
        error: 'not supported by this onnxruntime-node build',
      });
  }
  return { candidates, skipped };
}

export const NOT_SUPPORTED = 'not supported by this onnxruntime-node build';
export const NOT_INSTALLED = 'provider libraries not installed';

/**
 * A provider whose shared libraries are absent (the usual case for CUDA, which onnxruntime-node
 * does not bundle: see scripts/add-cuda-provider.sh) is "not installed", not a failure worth a warning.
 */
export function describeProviderError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /cannot open shared object|Failed to load (shared )?library|LoadLibrary failed|image not found/i.test(
    message,
  )
    ? `${NOT_INSTALLED} (${message.split('\n')[0]})`
    : message;
}

/**
 * How a provider that opened and then failed on run() is recorded (OnnxInference falls back to the
 * CPU once): its attempt's error starts with this, so the warnings can tell it from a failed start.
 */
export const FAILED_WHILE_RUNNING = 'failed while running the models';

/** True when an attempt is a provider that opened, then failed on run() and was replaced. */
export function isRunFailure(attempt: ProviderAttempt): boolean {
  return !attempt.ok && Boolean(attempt.error?.startsWith(FAILED_WHILE_RUNNING));
}

/**
 * The estimate's warnings about the providers: one for providers that failed to start, one per
 * provider that failed while running (the models were reopened on `info.provider`). Empty when the
 * first provider tried is the one running, or the ones passed over are merely not installed.
 */
export function providerWarnings(info: {
  provider: string;
  providersTried: readonly ProviderAttempt[];
}): string[] {
  const failed = info.providersTried.filter(isRealFailure);
  const atStart = failed.filter((attempt) => !isRunFailure(attempt));
  const warnings: string[] = [];
  if (atStart.length > 0)
    warnings.push(
      `The ${atStart.map((t) => t.provider).join(', ')} execution provider failed to start; running on ${info.provider}.`,
    );
  for (const attempt of failed.filter(isRunFailure))
    warnings.push(
      `The ${attempt.provider} execution provider ${attempt.error}: the models were reopened on ${info.provider}, which computed this result (slower, same models). Restart the application to try ${attempt.provider} again.`,
    );
  return warnings;
}

/** True when an attempt failed for a reason other than the provider being absent. */
export function isRealFailure(attempt: ProviderAttempt): boolean {
  return (
    !attempt.ok &&
    !attempt.error?.startsWith(NOT_SUPPORTED) &&
    !attempt.error?.startsWith(NOT_INSTALLED)
  );
}

/**
 * Try each candidate with `attempt` until one succeeds; every failure is recorded, never thrown,
 * until none is left.
 */
export async function firstWorkingProvider<T>(
  candidates: readonly string[],
  attempt: (provider: string) => Promise<T>,
): Promise<{ provider: string; value: T; tried: ProviderAttempt[] }> {
  const tried: ProviderAttempt[] = [];
  for (const provider of candidates) {
    try {
      const value = await attempt(provider);
      tried.push({ provider, ok: true });
      return { provider, value, tried };
    } catch (error) {
      tried.push({ provider, ok: false, error: describeProviderError(error) });
    }
  }
  const reasons = tried.map((t) => `${t.provider}: ${t.error}`).join('; ');
  throw new Error(`no execution provider could run the models (${reasons || 'none available'})`);
}
