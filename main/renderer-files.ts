/**
 * Which file of the renderer bundle (dist/renderer) a page request names, and its content type:
 * the one rule both hosts serve the UI by (the web host over HTTP, Electron through its app
 * protocol). A request never reaches outside the bundle's folder, however it is encoded.
 */
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export type RendererFile =
  | { ok: true; path: string; contentType: string }
  /** 'outside': the path leaves the bundle's folder; 'malformed': it cannot be decoded. */
  | { ok: false; reason: 'outside' | 'malformed' };

/**
 * The file under `rendererRoot` (an absolute, resolved folder) that URL path `pathname` names;
 * "/" is index.html. Percent-encoded separators and dot segments are decoded before the check.
 */
export function rendererFile(rendererRoot: string, pathname: string): RendererFile {
  let relativePath: string;
  try {
    relativePath =
      pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (relativePath.includes('\0')) return { ok: false, reason: 'malformed' };
  const path = normalize(join(rendererRoot, relativePath));
  if (path !== rendererRoot && !path.startsWith(rendererRoot + sep))
    return { ok: false, reason: 'outside' };
  return {
    ok: true,
    path,
    contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
  };
}
