/**
 * Import of image files and folders into the cases store. DICOM images are grouped into cases by
 * StudyInstanceUID; PNG/JPEG pairs named `<x>_coronal.png` / `<x>_transverse.png` become one case.
 * Duplicates are recognised by SOP Instance UID or by the file's SHA-256. A bad file is listed
 * with its reason and the rest are imported: one unreadable image never stops a folder.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { ImportReport } from '../api/store-contract';
import { decodeImageFile, type DecodedImage } from '../decode';
import type { CaseStore } from './store';
import type { ViewName } from './types';

export interface ImportProgress {
  done: number;
  total: number;
  path: string;
}

export interface ImportOptions {
  actor?: string;
  onProgress?: (progress: ImportProgress) => void;
}

/** Files a folder import looks at: images, and extension-less files (DICOM often has none). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom', '']);
const PAIR_NAME = /^(.*?)_(coronal|transverse)\.(png|jpe?g)$/i;
const MASK_NAME = /_mask\.(png|jpe?g)$/i;

/** Every candidate file under the given paths, folders walked recursively, in a stable order. */
export async function collectImageFiles(
  paths: string[],
): Promise<{ files: string[]; missing: { path: string; reason: string }[] }> {
  const files: string[] = [];
  const missing: { path: string; reason: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      // Companion files of a folder (…_mask.png beside its image, .json sidecars) are not cases.
      else if (
        entry.isFile() &&
        IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase()) &&
        !MASK_NAME.test(entry.name)
      )
        files.push(full);
    }
  };
  for (const given of paths) {
    const path = resolve(given);
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path);
      else files.push(path);
    } catch {
      missing.push({ path, reason: 'the file or folder does not exist; check the path' });
    }
  }
  return { files: [...new Set(files)], missing };
}

/** The case a PNG/JPEG pair belongs to: `<dir>/<x>`; null for an image without the naming. */
function pairKey(path: string): { key: string; title: string; view: ViewName } | null {
  const match = PAIR_NAME.exec(basename(path));
  if (!match) return null;
  return {
    key: join(dirname(path), match[1]),
    title: match[1],
    view: match[2].toLowerCase() as ViewName,
  };
}

/** A view named in a DICOM file's name, if any; otherwise the case's first free view is used. */
function viewFromName(path: string): ViewName | null {
  const name = basename(path).toLowerCase();
  if (/(^|[^a-z])(coronal|cor|long|longitudinal)([^a-z]|$)/.test(name)) return 'coronal';
  if (/(^|[^a-z])(transverse|trans|tr)([^a-z]|$)/.test(name)) return 'transverse';
  return null;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function importPaths(
  store: CaseStore,
  paths: string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const actor = options.actor ?? 'import';
  const report: ImportReport = { imported: [], duplicates: [], failed: [], caseIds: [] };
  const { files, missing } = await collectImageFiles(paths);
  report.failed.push(...missing);
  const touched = new Set<number>();

  for (const [index, path] of files.entries()) {
    options.onProgress?.({ done: index, total: files.length, path });
    if (MASK_NAME.test(path)) {
      report.failed.push({
        path,
        reason:
          'a mask image (…_mask.png), not an ultrasound image: import the images; masks come from the AI or the reader',
      });
      continue;
    }
    try {
      const bytes = await readFile(path);
      const contentHash = createHash('sha256').update(bytes).digest('hex');
      const decoded = await decodeImageFile(path);
      const sop = decoded.meta.sopInstanceUid ?? null;
      const existing = store.imageByHashOrSop(contentHash, sop);
      if (existing) {
        const by =
          existing.contentHash === contentHash
            ? 'the same content (SHA-256)'
            : `the same SOP Instance UID ${sop}`;
        report.duplicates.push({
          path,
          reason: `already imported as ${existing.originalPath} (case ${existing.caseId}): ${by}`,
        });
        continue;
      }
      const placed = store.transaction(() => placeImage(store, path, decoded, contentHash, actor));
      touched.add(placed.caseId);
      report.imported.push({ path, caseId: String(placed.caseId), view: placed.view });
    } catch (error) {
      report.failed.push({ path, reason: reasonOf(error) });
    }
  }
  options.onProgress?.({ done: files.length, total: files.length, path: '' });
  report.caseIds = [...touched].sort((a, b) => a - b).map(String);
  return report;
}

/** Finds or creates the image's case and view, and stores the image (one transaction). */
function placeImage(
  store: CaseStore,
  path: string,
  decoded: DecodedImage,
  contentHash: string,
  actor: string,
): { caseId: number; view: ViewName } {
  const meta = decoded.meta;
  const pair = decoded.format === 'dicom' ? null : pairKey(path);
  let caseId: number | null = null;
  if (meta.studyInstanceUid) caseId = store.caseByStudyUid(meta.studyInstanceUid)?.id ?? null;
  else if (pair) caseId = findPairCase(store, pair.key);

  if (caseId === null) {
    const title =
      pair?.title ??
      (meta.patientId
        ? `${meta.patientId}${meta.studyDate ? ` ${meta.studyDate}` : ''}`
        : basename(path, extname(path)));
    const patientId = store.upsertPatient({
      key: meta.patientId ?? `LOCAL-${pair?.title ?? basename(path, extname(path))}`,
      name: meta.patientName ?? null,
    });
    caseId = store.createCase(
      {
        patientId,
        studyInstanceUid: meta.studyInstanceUid ?? null,
        studyDate: meta.studyDate ?? null,
        title,
      },
      actor,
    );
  }

  const taken = new Set(store.images(caseId).map((image) => image.view));
  const wanted = pair?.view ?? viewFromName(path);
  const view: ViewName | undefined =
    wanted ?? (['coronal', 'transverse'] as const).find((v) => !taken.has(v));
  if (!view || taken.has(view)) {
    const title = store.getCase(caseId).title;
    throw new Error(
      `case ${caseId} (${title}) already has a ${view ?? 'coronal and a transverse'} image; a case holds one image per view`,
    );
  }
  store.addImage(
    {
      caseId,
      view,
      contentHash,
      sopInstanceUid: meta.sopInstanceUid ?? null,
      originalPath: path,
      format: decoded.format,
      width: decoded.grey.width,
      height: decoded.grey.height,
      calibration: decoded.calibration,
      meta: { ...meta, frames: decoded.frames },
    },
    actor,
  );
  return { caseId, view };
}

/** The case already holding the other image of a `<x>_coronal` / `<x>_transverse` pair. */
function findPairCase(store: CaseStore, key: string): number | null {
  const row = store.db
    .prepare(
      `SELECT case_id AS caseId FROM images
       WHERE original_path IN (?, ?, ?, ?, ?, ?) LIMIT 1`,
    )
    .get(
      ...['coronal', 'transverse'].flatMap((v) =>
        ['png', 'jpg', 'jpeg'].map((ext) => `${key}_${v}.${ext}`),
      ),
    ) as { caseId: number } | undefined;
  return row?.caseId ?? null;
}
