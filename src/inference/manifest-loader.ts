/**
 * Load models/manifest.json and verify that every model file it names is the one it describes
 * (SHA-256). A tampered or truncated file is refused with a message that names it; the session
 * signatures (input/output names and shapes) are checked once the sessions exist (signature.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { SpvError } from '../api/errors';
import { manifestFiles, parseManifest, type Manifest } from '../models/manifest';

/** A path for messages: relative to the working directory when that is shorter, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** SHA-256 of bytes already in memory, as lowercase hex (how model files and images are named). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  return sha256Hex(await readFile(path));
}

async function readManifestJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SpvError(
      'model',
      `${displayPath(path)} ${missing ? 'does not exist' : 'cannot be read'}: install the models (models/manifest.json and its ONNX files)`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SpvError('model', `${displayPath(path)} is not valid JSON: reinstall the models`, {
      cause: error,
    });
  }
}

/** Verify one file's hash; throws SpvError('model') naming the file when it differs or is missing. */
export async function verifyModelFile(dir: string, file: string, expected: string): Promise<void> {
  const path = join(dir, file);
  let actual: string;
  try {
    actual = await sha256File(path);
  } catch (error) {
    throw new SpvError(
      'model',
      `${displayPath(path)} is missing or unreadable: reinstall the models`,
      {
        cause: error,
      },
    );
  }
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new SpvError(
      'model',
      `${displayPath(path)} failed its SHA-256 check (expected ${expected}, got ${actual}): reinstall the models`,
    );
  }
}

/** Read, validate and hash-check the manifest in `dir`. */
export async function loadManifest(dir: string): Promise<Manifest> {
  const manifestPath = join(dir, 'manifest.json');
  const parsed = parseManifest(await readManifestJson(manifestPath), displayPath(manifestPath));
  if (!parsed.ok) throw new SpvError('model', parsed.message);
  // Sequential on purpose: a 2-core PC gains nothing from parallel hashing, and the first
  // failure is the one reported.
  for (const entry of manifestFiles(parsed.manifest)) {
    await verifyModelFile(dir, entry.file, entry.sha256);
  }
  return parsed.manifest;
}
