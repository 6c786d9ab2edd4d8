/**
 * Which files the UI may ask the core to read or write. The renderer is untrusted input (a web page
 * in the web host's case), so every path it sends must lie inside one of the allowed case folders:
 * the bundled samples and the folders the user named with --cases-dir (or picked in a dialog).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SpvError } from '../src/api/errors';

/** Request fields that carry file-system paths: `coronalPath`, `paths`, `outDir`, `dataDir`, … */
const PATH_KEY = /(path|paths|dir|file|folder)$/i;

/**
 * A `..` segment anywhere. Refused outright: the OS applies `..` after following the link before
 * it (`cases/link/../x` is `<link target>/../x`), so no textual check can agree with what is opened.
 */
const PARENT_SEGMENT = /(^|[\\/])\.\.([\\/]|$)/;

/**
 * Where a path really leads: symbolic links resolved in every part that exists, and the part that
 * does not exist yet (an export target) appended. Null when a part exists but cannot be resolved
 * (a dangling link, a link loop): writing there would follow the link wherever it points.
 */
function canonical(p: string): string | null {
  let existing = resolve(p);
  const missing: string[] = [];
  for (;;) {
    try {
      return join(realpathSync.native(existing), ...missing);
    } catch {
      if (existsUnresolved(existing)) return null;
      const parent = dirname(existing);
      if (parent === existing) return null;
      missing.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** True when the entry itself exists (lstat does not follow links) though realpath failed. */
function existsUnresolved(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export class PathPolicy {
  private readonly roots: string[];

  constructor(allowedRoots: readonly string[]) {
    // The roots come from the command line or a native dialog, not from the renderer.
    this.roots = allowedRoots.map((root) => canonical(root) ?? resolve(root));
  }

  get allowedRoots(): readonly string[] {
    return this.roots;
  }

  /** Allows a folder the user picked in a native dialog (Electron) for the rest of the run. */
  allow(root: string): void {
    const c = canonical(root) ?? resolve(root);
    if (!this.roots.includes(c)) this.roots.push(c);
  }

  isAllowed(p: string): boolean {
    return this.refusal(p) === null;
  }

  /** Why a path is refused, as the end of a sentence naming it; null when it is allowed. */
  private refusal(p: string): string | null {
    if (p.includes('\0')) return 'contains a NUL character';
    if (PARENT_SEGMENT.test(p))
      return 'contains a ".." segment, which is not accepted: give the path without ".."';
    const c = canonical(p);
    if (c === null) return 'cannot be resolved (a link whose target is missing, or a link loop)';
    const inside = this.roots.some((root) => {
      const rel = relative(root, c);
      return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
    });
    return inside
      ? null
      : `is outside the allowed case folders (${this.roots.join(', ')}). ` +
          'Start the host with --cases-dir <folder> to allow another folder';
  }

  /** Throws SpvError('forbidden') naming the first path refused and why. */
  checkRequest(method: string, request: unknown): void {
    for (const [key, value] of pathFields(request)) {
      const refusal = this.refusal(value);
      if (refusal !== null)
        throw new SpvError('forbidden', `${method}: ${key} "${value}" ${refusal}.`);
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
