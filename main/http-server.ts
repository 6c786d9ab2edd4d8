/**
 * The loopback web host: the renderer bundle and the API over HTTP for machines without Electron
 * (and for the end-to-end tests). Listens on 127.0.0.1 only; every /api/ path needs the per-launch
 * token; requests are validated by the shared dispatcher; file paths are checked by the PathPolicy.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream';
import type { ApiError } from '../src/api';
import { createDispatcher, type HostedService } from './api-dispatch';
import { RENDERER_CSP } from './csp';
import { PathPolicy } from './path-policy';
import { rendererFile } from './renderer-files';

export const LOOPBACK = '127.0.0.1';
/** Masks of an 8192² image in RLE stay far below this; anything larger is not a real request. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * How long close() lets the API requests in progress finish (an estimate computed, then saved)
 * before it cuts the connections: as long as the services wait for their calls (CLOSE_GRACE_MS).
 */
export const DEFAULT_CLOSE_GRACE_MS = 15_000;

export interface WebHostOptions {
  service: HostedService;
  /** Folder holding index.html, app.js (dist/renderer). */
  rendererDir: string;
  /** Folders the UI may open files from (models/samples, --cases-dir). */
  allowedRoots: readonly string[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token for tests; by default 32 random bytes per launch. */
  token?: string;
  /** Extra query parameters for the printed URL, e.g. { open: 'sample' }. */
  urlQuery?: Record<string, string>;
  /** How long close() waits for the API requests in progress; DEFAULT_CLOSE_GRACE_MS by default. */
  closeGraceMs?: number;
  log?: (line: string) => void;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  /**
   * Stops taking requests, lets those in progress answer (up to the grace period), then closes
   * every connection. A request that arrives meanwhile on an open connection is answered 503.
   */
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ApiError): void {
  sendJson(res, status, { error });
}

/** HTTP status for each API error code, so curl users see the category at a glance. */
const STATUS_BY_CODE: Record<ApiError['code'], number> = {
  'bad-input': 400,
  'not-calibrated': 422,
  'out-of-range': 422,
  'not-found': 404,
  model: 500,
  internal: 500,
  forbidden: 403,
};

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requestToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer '))
    return auth.slice('Bearer '.length).trim();
  const header = req.headers['x-spv-token'];
  return typeof header === 'string' ? header : null;
}

/**
 * Opens a file to serve, or null when it is missing or not a regular file. Served from the open
 * descriptor, so a file replaced or removed after this check (a rebuild of dist/renderer) is still
 * the one sent.
 */
function openRegularFile(path: string): { fd: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) return { fd, size: stat.size };
  } catch {
    // Unreadable: answered as missing, like a file that is not there.
  }
  closeSync(fd);
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('too-large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const log = opts.log ?? (() => {});
  const policy = new PathPolicy(opts.allowedRoots);
  const dispatcher = createDispatcher(opts.service, (err) =>
    log(`API error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  const rendererRoot = resolve(opts.rendererDir);
  let port = 0;
  let closing = false;
  /** Responses not yet handed to the OS: close() lets them finish before it cuts the connections. */
  const responding = new Set<Promise<void>>();

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
  ): Promise<void> {
    const given = requestToken(req);
    if (given === null || !tokensEqual(given, token)) {
      sendError(res, 401, {
        code: 'forbidden',
        message: 'Missing or wrong API token: open the URL the host printed.',
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, { code: 'bad-input', message: `Use POST for /api/${method}.` });
      return;
    }
    // Refused before reading: a client announcing a huge body must not hold the request open.
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      res.setHeader('Connection', 'close');
      sendError(res, 413, {
        code: 'bad-input',
        message: `Request to /api/${method} is larger than ${MAX_BODY_BYTES} bytes.`,
      });
      return;
    }
    let request: unknown;
    try {
      const body = await readBody(req);
      request = body.trim() === '' ? {} : JSON.parse(body);
    } catch (err) {
      const tooLarge = err instanceof Error && err.message === 'too-large';
      sendError(res, tooLarge ? 413 : 400, {
        code: 'bad-input',
        message: tooLarge
          ? `Request to /api/${method} is larger than ${MAX_BODY_BYTES} bytes.`
          : `Request to /api/${method} is not valid JSON.`,
      });
      return;
    }
    try {
      policy.checkRequest(method, request);
    } catch (err) {
      sendError(res, 403, {
        code: 'forbidden',
        message: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    const outcome = await dispatcher.dispatch(method, request);
    if (outcome.ok) sendJson(res, 200, { result: outcome.result ?? null });
    else sendError(res, STATUS_BY_CODE[outcome.error.code], outcome.error);
  }

  function handleStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const target = rendererFile(rendererRoot, pathname);
    if (!target.ok) {
      res.writeHead(target.reason === 'outside' ? 403 : 400, SECURITY_HEADERS);
      res.end(target.reason === 'outside' ? 'Forbidden' : 'Bad request');
      return;
    }
    const { path: filePath, contentType } = target;
    const file = openRegularFile(filePath);
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': contentType,
      'Content-Length': String(file.size),
    });
    if (req.method === 'HEAD') {
      closeSync(file.fd);
      res.end();
      return;
    }
    // pipeline, not pipe: a read error (an I/O error, a file truncated under us) must end this
    // response, not escape as an unhandled stream error that takes the whole host down.
    pipeline(createReadStream(filePath, { fd: file.fd }), res, (err) => {
      if (err) log(`web host: could not send ${pathname.replace(/^\/+/, '')}: ${err.message}`);
    });
  }

  const server = createServer((req, res) => {
    if (closing) {
      // A request on a connection that was open when close() began: the host is going away.
      res.writeHead(503, {
        ...SECURITY_HEADERS,
        Connection: 'close',
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end('The SPV web host is shutting down.');
      return;
    }
    const done = new Promise<void>((settle) => {
      res.once('finish', settle);
      res.once('close', settle);
    });
    responding.add(done);
    void done.then(() => responding.delete(done));
    // DNS-rebinding guard: a page on another origin resolving to 127.0.0.1 must not reach us.
    const host = req.headers.host ?? '';
    if (host !== `${LOOPBACK}:${port}` && host !== `localhost:${port}`) {
      res.writeHead(421, SECURITY_HEADERS);
      res.end('Misdirected request');
      return;
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', `http://${LOOPBACK}`).pathname;
    } catch {
      res.writeHead(400, SECURITY_HEADERS);
      res.end('Bad request');
      return;
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      handleApi(req, res, pathname.slice('/api/'.length)).catch((err: unknown) => {
        log(`web host: ${String(err)}`);
        if (!res.headersSent)
          sendError(res, 500, { code: 'internal', message: 'The web host failed to answer.' });
        else res.end();
      });
      return;
    }
    try {
      handleStatic(req, res, pathname);
    } catch {
      if (!res.headersSent) res.writeHead(400, SECURITY_HEADERS);
      res.end();
    }
  });

  let closed: Promise<void> | null = null;
  function closeGracefully(): Promise<void> {
    closed ??= (async () => {
      closing = true;
      const stopped = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>(
        (done) => (timer = setTimeout(done, opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS)),
      );
      // Requests in progress answer first: their effect (a saved estimate) is then known to the UI.
      await Promise.race([Promise.all([...responding]), grace]);
      clearTimeout(timer);
      server.closeAllConnections();
      await stopped;
    })();
    return closed;
  }

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => {
      port = (server.address() as AddressInfo).port;
      const query = new URLSearchParams({ token, ...(opts.urlQuery ?? {}) });
      const url = `http://${LOOPBACK}:${port}/?${query.toString()}`;
      resolvePromise({
        url,
        port,
        token,
        close: () => closeGracefully(),
      });
    });
  });
}
