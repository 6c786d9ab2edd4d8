/**
 * Which files the UI may ask the core to read or write. The renderer is untrusted input (a web page
 * in the web host's case), so every path it sends must lie inside one of the allowed case folders:
 * the bundled samples and the folders the user named with --cases-dir (or picked in a dialog).
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SpvError } from '../src/api/errors';

/** Request fields that carry file-system paths: `coronalPath`, `paths`, `outDir`, `dataDir`, … */
const PATH_KEY = /(path|paths|dir|file|folder)$/i;

function canonical(p: string): string {
  const absolute = resolve(p);
  try {
    return realpathSync.native(absolute);
  } catch {
    // A file that does not exist yet (an export target) is checked by its lexical location.
    return absolute;
  }
}

export class PathPolicy {
  private readonly roots: string[];

  constructor(allowedRoots: readonly string[]) {
    this.roots = allowedRoots.map(canonical);
  }

  get allowedRoots(): readonly string[] {
    return this.roots;
  }

  /** Allows a folder the user picked in a native dialog (Electron) for the rest of the run. */
  allow(root: string): void {
    const c = canonical(root);
    if (!this.roots.includes(c)) this.roots.push(c);
  }

  isAllowed(p: string): boolean {
    if (p.includes('\0')) return false;
    const c = canonical(p);
    return this.roots.some((root) => {
      const rel = relative(root, c);
      return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
    });
  }

  /** Throws SpvError('forbidden') naming the first path outside the allowed folders. */
  checkRequest(method: string, request: unknown): void {
    for (const [key, value] of pathFields(request)) {
      if (!this.isAllowed(value)) {
        throw new SpvError(
          'forbidden',
          `${method}: ${key} "${value}" is outside the allowed case folders (${this.roots.join(', ')}). ` +
            'Start the host with --cases-dir <folder> to allow another folder.',
        );
      }
    }
  }
}

/** Every string (or string array element) under a key that names a path, at any depth. */
export function pathFields(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return PATH_KEY.test(key) ? [[key, value]] : [];
  if (Array.isArray(value)) {
    return value.flatMap((item) =>
      typeof item === 'string'
        ? PATH_KEY.test(key)
          ? [[key, item] as [string, string]]
          : []
        : pathFields(item, key),
    );
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => pathFields(v, k));
  }
  return [];
}
