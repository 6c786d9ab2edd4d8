/**
 * The renderer's handle on the core. In Electron the preload exposes `window.spv` (one method per
 * API call); in a browser served by the web host the same calls go over HTTP with the launch token.
 * Either way the UI sees one `SpvApi` and cannot tell which host it runs in (DESIGN §2).
 */
import type { ApiError, SpvApi } from '../src/api';
import { apiRequestSchemas } from '../src/api';

/** An API failure as the UI shows it: the core's code and the message meant for the reader. */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly method: string;

  constructor(method: string, error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.method = method;
  }
}

/** What the Electron preload's methods resolve to (main/api-dispatch.ts DispatchResult): errors
 * travel as values because Electron flattens thrown errors into a generic message. */
export type BridgeOutcome = { ok: true; result: unknown } | { ok: false; error: ApiError };
export type SpvBridge = Record<string, (request?: unknown) => Promise<BridgeOutcome>>;

declare global {
  interface Window {
    spv?: SpvBridge;
  }
}

const TOKEN_KEY = 'spv-token';

/** Reads the token from `?token=` or `#token=`, keeps it for reloads, and drops it from the address bar. */
export function takeLaunchToken(
  location: Location,
  storage: Storage,
  history: History,
): string | null {
  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = query.get('token') ?? fragment.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    query.delete('token');
    const rest = query.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** `baseUrl` is '' in the page (same origin); tests pass the host's address. */
/** Bytes below the browsers' 64 KiB budget for requests that outlive their page. */
const KEEPALIVE_LIMIT = 60_000;

export function createHttpApi(
  token: string,
  baseUrl = '',
  fetchImpl: Fetch = (input, init) => fetch(input, init),
): SpvApi {
  const call = async (method: string, request: unknown): Promise<unknown> => {
    let response: Response;
    const payload = JSON.stringify(request ?? {});
    try {
      response = await fetchImpl(`${baseUrl}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: payload,
        // A small request (the time spent on a case, sent as the window closes) outlives the page;
        // browsers allow that only below 64 KiB, so a mask-carrying request is sent plainly.
        keepalive: payload.length < KEEPALIVE_LIMIT,
      });
    } catch (err) {
      throw new ApiCallError(method, {
        code: 'internal',
        message: `The web host did not answer ${method} (${String(err)}). Is it still running?`,
      });
    }
    let body: { result?: unknown; error?: ApiError };
    try {
      body = (await response.json()) as { result?: unknown; error?: ApiError };
    } catch {
      throw new ApiCallError(method, {
        code: 'internal',
        message: `${method}: the web host answered HTTP ${response.status} without JSON.`,
      });
    }
    if (!response.ok || body.error) {
      throw new ApiCallError(
        method,
        body.error ?? { code: 'internal', message: `${method}: HTTP ${response.status}` },
      );
    }
    return body.result;
  };
  const api: Record<string, (req?: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(apiRequestSchemas))
    api[method] = (req?: unknown) => call(method, req);
  // Built from the same method table that the hosts dispatch on, so every SpvApi method is present.
  return api as unknown as SpvApi;
}

/** Wraps window.spv so errors thrown across the IPC bridge become ApiCallError too. */
export function wrapBridge(bridge: SpvBridge): SpvApi {
  const api: Record<string, (req?: unknown) => Promise<unknown>> = {};
  for (const method of Object.keys(apiRequestSchemas)) {
    api[method] = async (req?: unknown) => {
      const call = bridge[method];
      if (!call)
        throw new ApiCallError(method, {
          code: 'internal',
          message: `The Electron bridge has no ${method}.`,
        });
      const outcome = await call(req);
      if (!outcome.ok) throw new ApiCallError(method, outcome.error);
      return outcome.result;
    };
  }
  return api as unknown as SpvApi;
}

/** The API for this page: the preload's bridge in Electron, HTTP otherwise. */
export function connectApi(): SpvApi {
  if (window.spv) return wrapBridge(window.spv);
  const token = takeLaunchToken(window.location, window.sessionStorage, window.history);
  if (!token) {
    throw new ApiCallError('connect', {
      code: 'forbidden',
      message:
        'No API token: open the exact URL that `npm run serve` printed (it ends with ?token=…).',
    });
  }
  return createHttpApi(token);
}
