/**
 * Import of image files and folders into the cases store. DICOM images are grouped into cases by
 * StudyInstanceUID; PNG/JPEG pairs named `<x>_coronal.png` / `<x>_transverse.png` (any letter case)
 * become one case.
 * Duplicates are recognised by SOP Instance UID or by the file's SHA-256. A file with the content
 * of a stored image whose file is no longer where it was imported from is that file, moved: the
 * stored image is pointed at its new place (relocated, audited, reported in `relocated`), so that
 * its case opens again.
 * A view is never added to a signed-off case. A bad file is listed with its reason and the rest
 * are imported: one unreadable image never stops a folder. A file that is no image (a README, a
 * DICOMDIR) is listed as skipped, not failed.
 */
import { createHash } from 'node:crypto';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { ImportReport } from '../api/store-contract';
import {
  decodeImageFileBytes,
  DicomWithoutPixelDataError,
  readImageFile,
  sniffFormat,
  type DecodedImage,
} from '../decode';
import { sidecarsAmong } from '../decode/sidecar';
import { sha256File, sha256Hex } from '../inference/manifest-loader';
import type { CaseStore } from './store';
import type { ImageRow, ViewName } from './types';

export interface ImportProgress {
  done: number;
  total: number;
  path: string;
}

export interface ImportOptions {
  actor?: string;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * The frame (0-based) to take from every multi-frame DICOM imported; single-frame images ignore
   * it. Without it a multi-frame file is refused: which frame the spleen is measured on is the
   * reader's choice, never a silent default. Stored with the image and used whenever it is opened.
   */
  frame?: number | null;
}

/**
 * Files a folder import takes by their name. Any other file, extension-less ones included (a
 * README, or a DICOM named IM0001), is taken only if its content is an image's.
 */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.dcm', '.dicom']);
const PAIR_NAME = /^(.*?)_(coronal|transverse)\.(png|jpe?g)$/i;
const MASK_NAME = /_mask\.(png|jpe?g)$/i;
/** A calibration sidecar: read with its PNG/JPEG, not a case of its own. */
const SIDECAR_NAME = /\.json$/i;

/**
 * A case in the store holds one frame per view and import has no way to choose it: a multi-frame
 * DICOM is opened directly instead, where a frame is chosen.
 */
const MULTIFRAME_HOW_TO =
  'for the import: spv import --frame N (the frame of every multi-frame file imported), or the ' +
  'Frame field beside Import in the Review tab';

export interface SkippedFile {
  path: string;
  reason: string;
}

const NOT_AN_IMAGE = 'not a PNG, JPEG or DICOM file';
const NO_PIXEL_DATA =
  'not a PNG, JPEG or DICOM image: a DICOM file without pixel data (a DICOMDIR, a report or a presentation state)';

/**
 * True when the file's first bytes are an image's, as the decoder reads them: a PNG or JPEG
 * signature, the DICOM Part 10 marker ("DICM" at byte 128: a DICOM named by its UID,
 * `1.2.840….12345`, or any other way) or, for a name without extension, a bare DICOM data set.
 */
async function startsLikeImage(path: string, name: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(132);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const { size } = await handle.stat();
    return sniffFormat(head.subarray(0, bytesRead), name, size) !== null;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * Every candidate file under the given paths, folders walked recursively, in a stable order; and
 * every file of those folders that is not taken, with the reason, so that nothing is left out
 * without a word. Links are followed (a link to a folder once: loops are cut). The one exception:
 * hidden files and folders (a name starting with ".": .git, .DS_Store) are passed over silently,
 * not listed among the skipped: they are the system's or a tool's, never a reader's images.
 * `folderNames` holds the names in the folder of every file (each folder listed once), for the
 * sidecar lookup of each image (DecodeOptions.folderNames).
 */
export async function collectImageFiles(paths: string[]): Promise<{
  files: string[];
  missing: { path: string; reason: string }[];
  skipped: SkippedFile[];
  folderNames: ReadonlyMap<string, readonly string[]>;
}> {
  const files: string[] = [];
  const missing: { path: string; reason: string }[] = [];
  const skipped: SkippedFile[] = [];
  const walkedFolders = new Set<string>();
  // Every folder's names, hidden ones included (as the sidecar lookup lists them): one listing.
  const folderNames = new Map<string, readonly string[]>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (walkedFolders.has(real)) return; // a link back to a folder already walked
    walkedFolders.add(real);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    folderNames.set(
      dir,
      entries.map((entry) => entry.name),
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden: passed over unlisted (see above)
      const full = join(dir, entry.name);
      // A link's Dirent says "link", not what it points to: stat follows it.
      let info;
      try {
        info = await stat(full);
      } catch {
        skipped.push({
          path: full,
          reason: 'a link to a file or folder that does not exist',
        });
        continue;
      }
      if (info.isDirectory()) await walk(full);
      else if (!info.isFile())
        skipped.push({
          path: full,
          reason: 'not a regular file (a device, pipe or socket)',
        });
      else {
        const why = await skipReason(full, entry.name);
        if (why === null) files.push(full);
        else skipped.push({ path: full, reason: why });
      }
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
  // A sidecar beside an image taken is used with it, not skipped; one beside a mask goes with the
  // mask's line; one without an image is listed. Matched ignoring letter case, as decoding does.
  const masks = skipped.filter((s) => MASK_NAME.test(basename(s.path))).map((s) => s.path);
  // The folder of a file given by itself was not walked: it is listed here, once.
  const used = new Set<string>();
  for (const file of [...files, ...masks]) {
    const folder = dirname(file);
    let names = folderNames.get(folder);
    if (!names) {
      names = await readdir(folder).catch((): string[] => []);
      folderNames.set(folder, names);
    }
    for (const sidecar of sidecarsAmong(file, names)) used.add(sidecar);
  }
  return {
    files: [...new Set(files)],
    missing,
    skipped: skipped.filter((s) => !used.has(s.path)),
    folderNames,
  };
}

/** Why a file met in a folder is not imported; null when it is to be tried as an image. */
async function skipReason(path: string, name: string): Promise<string | null> {
  // Companion files of a folder (…_mask.png beside its image, .json sidecars) are not cases.
  if (MASK_NAME.test(name))
    return 'a mask image (…_mask.png); masks come from the AI or the reader, not from import';
  if (SIDECAR_NAME.test(name))
    return 'a JSON file without an image beside it (a calibration sidecar is read with its PNG/JPEG)';
  if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) return null;
  // DICOM files are often named by their UID (the "extension" is its last number), have no
  // extension (IM0001 on a CD) or are named any other way: the content decides.
  if (await startsLikeImage(path, name)) return null;
  const ext = extname(name);
  return ext === ''
    ? `${NOT_AN_IMAGE} (no extension, and the content is not an image's)`
    : `${NOT_AN_IMAGE} (the extension ${ext} is not an image's, nor is the content)`;
}

/**
 * The case a PNG/JPEG pair belongs to: `<dir>` and `<x>` (lower case: `Scan_Coronal.PNG` and
 * `scan_transverse.png` are one pair); null for an image without the naming.
 */
function pairKey(
  path: string,
): { dir: string; stem: string; title: string; view: ViewName } | null {
  const match = PAIR_NAME.exec(basename(path));
  if (!match) return null;
  return {
    dir: dirname(path),
    stem: match[1].toLowerCase(),
    title: match[1],
    view: match[2].toLowerCase() as ViewName,
  };
}

/**
 * The view an image's name gives it: a pair's `_coronal`/`_transverse`, else a view word in the
 * name (viewFromName); null when its name says none (it takes its case's first free view).
 */
function wantedView(image: Pick<ReadImage, 'path' | 'format'>): ViewName | null {
  const pair = image.format === 'dicom' ? null : pairKey(image.path);
  return pair?.view ?? viewFromName(image.path);
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

/**
 * An image read and decoded, as placing it needs it: its pixels are dropped once it is checked, so
 * that a folder of hundreds of images is not held in memory while its duplicates are sorted out.
 */
interface ReadImage {
  path: string;
  contentHash: string;
  sop: string | null;
  format: DecodedImage['format'];
  width: number;
  height: number;
  calibration: DecodedImage['calibration'];
  frames: number;
  /** The frame of a multi-frame file the case shows (OpenCases opens it with it); else null. */
  frame: number | null;
  meta: DecodedImage['meta'];
}

export async function importPaths(
  store: CaseStore,
  paths: string[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const actor = options.actor ?? 'import';
  const { files, missing, skipped, folderNames } = await collectImageFiles(paths);
  const report: ImportReport = {
    imported: [],
    duplicates: [],
    relocated: [],
    failed: [...missing],
    aiFailed: [],
    skipped,
    caseIds: [],
  };
  const touched = new Set<number>();

  // First every file is read, so that the copies of one image among them are known before any is
  // placed: which of them is placed decides which case and view the image lands in.
  const images: ReadImage[] = [];
  for (const [index, path] of files.entries()) {
    options.onProgress?.({ done: index, total: files.length, path });
    if (MASK_NAME.test(path)) {
      report.skipped.push({
        path,
        reason:
          'a mask image (…_mask.png), not an ultrasound image: import the images; masks come from the AI or the reader',
      });
      continue;
    }
    try {
      images.push(await readImage(path, options, folderNames.get(dirname(path))));
    } catch (error) {
      // A DICOMDIR, report or presentation state is DICOM but no image: there is nothing to fail.
      if (error instanceof DicomWithoutPixelDataError)
        report.skipped.push({ path, reason: NO_PIXEL_DATA });
      else report.failed.push({ path, reason: reasonOf(error) });
    }
  }

  // The copies are placed after every original, so each finds its original in the store. Among
  // the originals, those whose name gives their view go first: an unnamed DICOM of a study takes
  // the view its named ones leave free, never the one a named one needs.
  const originalOf = originalsAmongCopies(images);
  const originals = images.filter((image) => !originalOf.has(image));
  const copies = images.filter((image) => originalOf.has(image));
  const named = originals.filter((image) => wantedView(image) !== null);
  const unnamed = originals.filter((image) => wantedView(image) === null);
  for (const image of [...named, ...unnamed, ...copies]) {
    const { path, contentHash, sop } = image;
    const existing = store.imageByHashOrSop(contentHash, sop);
    if (existing) {
      const moved = await movedImageOf(store, image);
      if (moved) {
        // Not a copy left out: its case reads the file from here now (a field of its own, so
        // that no reader of the report tells the two apart by the words of a reason).
        store.relocateImage(moved.id, path, actor);
        report.relocated.push({
          path,
          previousPath: moved.originalPath,
          caseId: String(moved.caseId),
          view: moved.view,
        });
        continue;
      }
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
    const original = originalOf.get(image);
    if (original) {
      // Its original failed (its line says why): a copy never stands in for it in another case.
      report.duplicates.push({
        path,
        reason: `the same image as ${original.path}, which was not imported (see its line); import that file again once fixed`,
      });
      continue;
    }
    try {
      const placed = store.transaction(() => placeImage(store, image, actor));
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

/**
 * The stored image this file is, moved: the same content (SHA-256; the SOP Instance UID alone is
 * never enough), imported from another path where that content no longer is (the file is gone,
 * or another file is there now). Null when the stored image's file is still where it was: this
 * one is a copy, a plain duplicate.
 */
async function movedImageOf(store: CaseStore, image: ReadImage): Promise<ImageRow | null> {
  const stored = store.imageByContentHash(image.contentHash);
  if (!stored || stored.originalPath === image.path) return null;
  const there = await sha256File(stored.originalPath).catch(() => null);
  return there === stored.contentHash ? null : stored;
}

/** Reads, hashes and decodes one file (a bad one throws, naming why). */
async function readImage(
  path: string,
  options: ImportOptions,
  folderNames: readonly string[] | undefined,
): Promise<ReadImage> {
  // Read once: the bytes hashed are the bytes decoded, and the folder listed once is reused.
  const bytes = await readImageFile(path);
  const decoded = await decodeImageFileBytes(bytes, path, {
    frame: options.frame,
    frameOnlyIfMultiframe: true,
    howToChooseFrame: MULTIFRAME_HOW_TO,
    folderNames,
  });
  return {
    path,
    contentHash: sha256Hex(bytes),
    sop: decoded.meta.sopInstanceUid ?? null,
    format: decoded.format,
    width: decoded.grey.width,
    height: decoded.grey.height,
    calibration: decoded.calibration,
    frames: decoded.frames,
    // A multi-frame file decodes only with a frame chosen (options.frame): that one is stored.
    frame: decoded.frames > 1 ? (options.frame ?? null) : null,
    meta: decoded.meta,
  };
}

/**
 * The images of one import that are copies of another of them (the same content or SOP Instance
 * UID: a folder and a copy of one of its files elsewhere, the same DICOM under two names), each
 * with the one of its copies that is placed. That one is the copy whose name places it: a
 * `<x>_coronal` whose `<x>_transverse` is imported with it, a DICOM whose name says its view;
 * among equals, the first met. So a stray copy never opens a case of its own that splits a pair,
 * nor takes a view its name does not give it.
 */
function originalsAmongCopies(images: readonly ReadImage[]): Map<ReadImage, ReadImage> {
  // Copies are grouped by either key: a file may share its content with one and its UID with another.
  const group = images.map((_, index) => index);
  const root = (index: number): number => {
    let at = index;
    while (group[at] !== at) at = group[at];
    return at;
  };
  const firstWith = new Map<string, number>();
  for (const [index, image] of images.entries()) {
    const keys = [`sha256:${image.contentHash}`, ...(image.sop ? [`sop:${image.sop}`] : [])];
    for (const key of keys) {
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, index);
      else group[root(index)] = root(first);
    }
  }
  const pairViews = new Set(
    images.flatMap((image) => {
      const pair = image.format === 'dicom' ? null : pairKey(image.path);
      return pair ? [`${pair.dir}\0${pair.stem}\0${pair.view}`] : [];
    }),
  );
  const placedByName = (image: ReadImage): boolean => {
    if (image.format === 'dicom') return viewFromName(image.path) !== null;
    const pair = pairKey(image.path);
    const other = pair?.view === 'coronal' ? 'transverse' : 'coronal';
    return pair !== null && pairViews.has(`${pair.dir}\0${pair.stem}\0${other}`);
  };
  const chosen = new Map<number, number>();
  for (const index of images.keys()) {
    const key = root(index);
    const best = chosen.get(key);
    if (best === undefined || (placedByName(images[index]) && !placedByName(images[best])))
      chosen.set(key, index);
  }
  const originalOf = new Map<ReadImage, ReadImage>();
  for (const [index, image] of images.entries()) {
    const original = chosen.get(root(index))!;
    if (original !== index) originalOf.set(image, images[original]);
  }
  return originalOf;
}

/** Finds or creates the image's case and view, and stores the image (one transaction). */
function placeImage(
  store: CaseStore,
  image: ReadImage,
  actor: string,
): { caseId: number; view: ViewName } {
  const { path, meta } = image;
  const pair = image.format === 'dicom' ? null : pairKey(path);
  let caseId: number | null = null;
  if (meta.studyInstanceUid) caseId = store.caseByStudyUid(meta.studyInstanceUid)?.id ?? null;
  else if (pair) caseId = findPairCase(store, pair);

  if (caseId === null) {
    const title =
      pair?.title ??
      (meta.patientId
        ? `${meta.patientId}${meta.studyDate ? ` ${meta.studyDate}` : ''}`
        : basename(path, extname(path)));
    const patientId = store.upsertPatient({
      key: meta.patientId ?? localPatientKey(path, pair?.title ?? basename(path, extname(path))),
      name: meta.patientName ?? null,
      // Carried into the DICOM exports, which must agree with the source study in PACS.
      birthDate: meta.patientBirthDate ?? null,
      sex: meta.patientSex ?? null,
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
  const wanted = wantedView(image);
  const view: ViewName | undefined =
    wanted ?? (['coronal', 'transverse'] as const).find((v) => !taken.has(v));
  if (!view || taken.has(view)) {
    const title = store.getCase(caseId).title;
    throw new Error(
      `case ${caseId} (${title}) already has a ${view ?? 'coronal and a transverse'} image; a case holds one image per view`,
    );
  }
  // A view added to a signed-off case would change what was signed without anyone seeing it:
  // refused, so that adding it is a decision with a reason (the unlock's) in the audit log.
  const row = store.getCase(caseId);
  if (row.status === 'signed-off')
    throw new Error(
      `case ${caseId} (${row.title}) is signed off, and adding its ${view} image would change the signed-off case: unlock the case first (Review tab: Unlock, with a reason), then import this file again`,
    );
  store.addImage(
    {
      caseId,
      view,
      contentHash: image.contentHash,
      sopInstanceUid: image.sop,
      originalPath: path,
      format: image.format,
      width: image.width,
      height: image.height,
      calibration: image.calibration,
      meta: {
        ...meta,
        frames: image.frames,
        ...(image.frame !== null && { frame: image.frame }),
      },
    },
    actor,
  );
  return { caseId, view };
}

/**
 * The patient of an image that names none (PNG/JPEG, DICOM without Patient ID): one per folder
 * and name, so that `patientA/scan_coronal.png` and `patientB/scan_coronal.png` are two patients,
 * not one "LOCAL-scan". The folder enters as a short hash: the key stays readable and holds no path.
 */
function localPatientKey(path: string, stem: string): string {
  const folder = createHash('sha256').update(dirname(path)).digest('hex').slice(0, 8);
  return `LOCAL-${stem}-${folder}`;
}

/** The case already holding the other image of a `<x>_coronal` / `<x>_transverse` pair. */
function findPairCase(store: CaseStore, pair: { dir: string; stem: string }): number | null {
  // Images of the same folder (exact), then the pair naming compared case-insensitively.
  const prefix = join(pair.dir, '/');
  const rows = store.db
    .prepare(
      `SELECT case_id AS caseId, original_path AS path FROM images
       WHERE substr(original_path, 1, length(?)) = ? ORDER BY id`,
    )
    .all(prefix, prefix) as { caseId: number; path: string }[];
  for (const row of rows) {
    const other = pairKey(row.path);
    if (other && other.dir === pair.dir && other.stem === pair.stem) return row.caseId;
  }
  return null;
}
