/** Command-line usage errors (exit code 2) and the exit codes themselves. */

/** interrupted: a batch stopped by Ctrl+C (128 + SIGINT, as a shell reports it). */
export const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3, interrupted: 130 } as const;

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

/**
 * A number as people write it: digits with an optional decimal point and exponent. Number() alone
 * would also take "" and " " (as 0) and "0x1" (as 1): an unset shell variable in `--frame "$F"`
 * must not quietly become frame 0, nor `--age "$AGE"` a newborn.
 */
const DECIMAL = /^\s*[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const WHOLE = /^\s*[+]?\d+\s*$/;

/** `--name`'s value as a decimal number, or a usage error quoting what was given. */
export function parseDecimal(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!DECIMAL.test(text)) throw new UsageError(`--${name} needs a number, got "${text}"`);
  return Number(text);
}

export function parsePositiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} needs a positive number, got "${text}"`);
  return value;
}

export function parseNonNegativeInteger(
  name: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const value = WHOLE.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value))
    throw new UsageError(`--${name} needs a whole number ≥ 0, got "${text}"`);
  return value;
}

/**
 * Refuse an option given an empty value (`--coronal "$FILE"` with FILE unset): taken as absent,
 * `spv estimate` would estimate the bundled sample instead and exit 0.
 */
export function refuseEmptyOptions(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '')
      throw new UsageError(
        `--${name} was given an empty value: give its value (is a shell variable unset?)`,
      );
  }
}
