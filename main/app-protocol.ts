/**
 * The app's own URL scheme, through which Electron loads the renderer instead of file:// (the
 * Electron security checklist, "avoid file://"): a page on file:// shares its origin with every
 * local file, while spv://app is an origin of its own, serves only the renderer bundle, and names
 * the app's page in one spelling on every platform, which is what the IPC sender check compares.
 * Pure (the Fetch API's Request and Response), so that it is tested without Electron.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RENDERER_CSP } from './csp';
import { rendererFile } from './renderer-files';

export const APP_SCHEME = 'spv';
const APP_HOST = 'app';
const APP_PAGE = '/index.html';

/** The app's page, with its query (e.g. { sample: 'default' }). */
export function appPageUrl(query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${APP_SCHEME}://${APP_HOST}${APP_PAGE}${search ? `?${search}` : ''}`;
}

/** True when an IPC message comes from the app's page (any query), and from nothing else. */
export function isTrustedSenderUrl(senderUrl: string): boolean {
  try {
    const url = new URL(senderUrl);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.pathname === APP_PAGE;
  } catch {
    return false;
  }
}

const HEADERS = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

const plain = (status: number, text: string) =>
  new Response(text, {
    status,
    headers: { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });

/**
 * The handler Electron's protocol.handle runs for every spv:// request: a file of the renderer
 * bundle under `rendererDir` (read through Electron's fs, so from inside the asar too), with the
 * renderer's CSP; 404 for anything else, 403 for a path that leaves the bundle.
 */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'Not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Not allowed');
    const target = rendererFile(root, url.pathname);
    if (!target.ok)
      return target.reason === 'outside' ? plain(403, 'Forbidden') : plain(400, 'Bad request');
    try {
      if (!(await stat(target.path)).isFile()) return plain(404, 'Not found');
      const body = request.method === 'HEAD' ? null : await readFile(target.path);
      return new Response(body, {
        status: 200,
        headers: { ...HEADERS, 'Content-Type': target.contentType },
      });
    } catch {
      // Missing or unreadable: answered alike.
      return plain(404, 'Not found');
    }
  };
}
