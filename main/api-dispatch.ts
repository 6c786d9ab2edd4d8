/**
 * The one place where an API call from the UI enters the core, shared by the Electron IPC handlers
 * and the web host: method name → zod validation → service call → result, or an {code, message}
 * error the UI can show. Nothing reaches the engine unvalidated (DESIGN §7, Security).
 */
import {
  apiRequestSchemas,
  isSpvError,
  type ApiError,
  type CaseApi,
  type StoreApi,
} from '../src/api';

/**
 * What a host serves: the engine's CaseApi, and the store's methods once the store service is
 * wired in. A method the service lacks answers a clear 'internal' error instead of crashing.
 */
export type HostedService = CaseApi & Partial<StoreApi>;

export type ApiMethod = keyof typeof apiRequestSchemas;

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiError };

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(apiRequestSchemas, name);
}

export const apiMethods: readonly ApiMethod[] = Object.keys(apiRequestSchemas) as ApiMethod[];

/** Formats zod issues as "path: message; …" so the reader sees which field was wrong. */
function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(request)'}: ${issue.message}`)
    .join('; ');
}

export interface Dispatcher {
  dispatch(method: string, request: unknown): Promise<DispatchResult>;
}

/**
 * @param service the engine (+ store) implementing the API
 * @param onUnexpected called with errors that are not SpvError, for the host's log
 */
export function createDispatcher(
  service: HostedService,
  onUnexpected: (err: unknown) => void = () => {},
): Dispatcher {
  return {
    async dispatch(method, request) {
      if (!isApiMethod(method)) {
        return {
          ok: false,
          error: { code: 'not-found', message: `Unknown API method "${method}".` },
        };
      }
      const parsed = apiRequestSchemas[method].safeParse(request ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'bad-input',
            message: `Invalid request for ${method}: ${describeIssues(parsed.error.issues)}`,
          },
        };
      }
      // The schemas table and SpvApi are keyed by the same names; the cast bridges TypeScript's view
      // of a union of method signatures, which it cannot call with a union of argument types.
      const fn = (
        service as unknown as Record<string, ((req: unknown) => Promise<unknown>) | undefined>
      )[method];
      if (typeof fn !== 'function') {
        return {
          ok: false,
          error: { code: 'internal', message: `The host does not implement ${method}.` },
        };
      }
      try {
        return { ok: true, result: await fn.call(service, parsed.data ?? {}) };
      } catch (err) {
        if (isSpvError(err)) return { ok: false, error: { code: err.code, message: err.message } };
        onUnexpected(err);
        const detail = err instanceof Error ? err.message : String(err);
        return {
          ok: false,
          error: { code: 'internal', message: `${method} failed unexpectedly: ${detail}` },
        };
      }
    },
  };
}
