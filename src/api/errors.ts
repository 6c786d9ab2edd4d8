/**
 * The one error type the core throws for anything the user can act on. `code` lets hosts map it
 * (CLI exit code 3, HTTP 400/422, a UI panel); `message` names the problem and what to do.
 */
import type { ApiError } from './contract';

export type SpvErrorCode = ApiError['code'];

export class SpvError extends Error {
  readonly code: SpvErrorCode;

  constructor(code: SpvErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpvError';
    this.code = code;
  }
}

export function isSpvError(value: unknown): value is SpvError {
  return value instanceof SpvError;
}
