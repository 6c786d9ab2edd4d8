/** Command-line usage errors (exit code 2) and the exit codes themselves. */

export const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Wrap util.parseArgs's TypeErrors (unknown option, missing value) as usage errors. */
export function asUsageError(error: unknown): UsageError | null {
  if (error instanceof UsageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    return new UsageError((error as Error).message);
  return null;
}

export function parsePositiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} needs a positive number, got "${text}"`);
  return value;
}

export function parseNonNegativeInteger(
  name: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new UsageError(`--${name} needs a whole number ≥ 0, got "${text}"`);
  return value;
}
