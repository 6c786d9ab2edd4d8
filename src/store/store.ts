/**
 * The cases store: every read and write of the database goes through here. Writes that belong
 * together run in one transaction and append their audit entry in the same transaction, so the
 * log never disagrees with the data. better-sqlite3 is synchronous: callers do async work
 * (decoding, PNG encoding, inference) first and then write.
 */
import { randomBytes } from 'node:crypto';
import { SpvError } from '../api/errors';
import type { CaseStatus } from '../api/store-contract';
import type { Calibration, CaliperLine, Estimate, Patient } from '../api/contract';
import { checkFirst } from '../clinical/check-first';
import { databasePathFor, openDatabase, type Db, type OpenDatabaseOptions } from './database';
import {
  PSEUDONYM_KEY_BYTES,
  VIEWS,
  type AuditRow,
  type CaseRow,
  type EstimateInput,
  type EstimateRow,
  type ImageInput,
  type ImageRow,
  type MaskInput,
  type MaskRow,
  type MeasurementInput,
  type PatientInput,
  type SessionCaseRow,
  type SessionRow,
  type ViewName,
  type ViewSwap,
} from './types';

const now = (): string => new Date().toISOString();

const CASE_SELECT = `
  SELECT c.id, c.patient_id AS patientId, p.patient_key AS patientKey, p.name AS patientName,
         p.birth_date AS patientBirthDate, p.sex AS patientSex,
         c.study_instance_uid AS studyInstanceUid, c.study_date AS studyDate, c.title, c.status,
         c.version, c.signed_off_at AS signedOffAt, c.signed_off_by AS signedOffBy,
         c.flag_comment AS flagComment, c.created_at AS createdAt, c.updated_at AS updatedAt
  FROM cases c JOIN patients p ON p.id = c.patient_id`;

/** An image as IMAGE_SELECT reads it: an ImageRow with its calibration and meta still JSON. */
interface ImageDbRow extends Omit<ImageRow, 'calibration' | 'meta'> {
  calibrationJson: string | null;
  metaJson: string;
}

interface EstimateDbRow {
  id: number;
  caseId: number;
  source: 'ai' | 'manual';
  coronalMaskId: number | null;
  transverseMaskId: number | null;
  model: 'single' | 'dual';
  modelVersion: string;
  modelHash: string;
  provider: string;
  volumeMl: number;
  ciLowMl: number;
  ciHighMl: number;
  lengthsJson: string;
  /** NULL on estimates saved before schema 4. */
  caliperLengthsJson: string | null;
  /** NULL on estimates saved before schema 5 (these three). */
  calibrationJson: string | null;
  patientJson: string | null;
  caliperLinesJson: string | null;
  /** NULL on estimates saved before schema 7 (these two). */
  uncertainOutlineJson: string | null;
  inputDoubtsJson: string | null;
  /** NULL on estimates saved before schema 8. */
  checkFirstWarningsJson: string | null;
  formulasJson: string;
  classificationJson: string;
  warningsJson: string;
  author: string;
  createdAt: string;
}

/** The audit action of a view swap: its entries are the record CaseStore reads swaps back from. */
const SWAP_VIEWS_ACTION = 'case.swap-views';

export class CaseStore {
  constructor(readonly db: Db) {}

  static open(dataDir: string, options?: OpenDatabaseOptions): CaseStore {
    return new CaseStore(openDatabase(databasePathFor(dataDir), options));
  }

  static openFile(file: string, options?: OpenDatabaseOptions): CaseStore {
    return new CaseStore(openDatabase(file, options));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- audit ----------------------------------------------------------------------------------

  audit(
    actor: string,
    action: string,
    caseId: number | null,
    detail: Record<string, unknown> = {},
  ): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, actor, action, case_id, detail_json) VALUES (?, ?, ?, ?, ?)',
      )
      .run(now(), actor, action, caseId, JSON.stringify(detail));
  }

  auditLog(caseId?: number): AuditRow[] {
    const rows = (
      caseId === undefined
        ? this.db
            .prepare(
              'SELECT id, at, actor, action, case_id AS caseId, detail_json AS d FROM audit_log ORDER BY id',
            )
            .all()
        : this.db
            .prepare(
              'SELECT id, at, actor, action, case_id AS caseId, detail_json AS d FROM audit_log WHERE case_id = ? ORDER BY id',
            )
            .all(caseId)
    ) as (Omit<AuditRow, 'detail'> & { d: string })[];
    return rows.map(({ d, ...row }) => ({
      ...row,
      detail: JSON.parse(d) as Record<string, unknown>,
    }));
  }

  // ---- anonymised exports ---------------------------------------------------------------------

  /**
   * This installation's secret key for anonymised exports' pseudonyms
   * (src/reports/anon-pseudonyms.ts): 32 random bytes, created the first time an export needs
   * them and the same ever after (the table refuses changes). Refused with a message, never
   * replaced, when it cannot be read or created: an export then fails rather than fall back to a
   * hash anyone could recompute.
   */
  pseudonymKey(): Buffer {
    const read = () => this.db.prepare('SELECT key FROM pseudonym_key WHERE id = 1').pluck().get();
    let key: unknown;
    try {
      // Read first: a database that already has its key needs no write (it may be read-only).
      key =
        read() ??
        // IMMEDIATE, and INSERT OR IGNORE: the app and the command line asking at once get one key.
        this.db
          .transaction(() => {
            const created = this.db
              .prepare('INSERT OR IGNORE INTO pseudonym_key (id, key, created_at) VALUES (1, ?, ?)')
              .run(randomBytes(PSEUDONYM_KEY_BYTES), now());
            // Only that it was made: the key itself is never written anywhere else.
            if (created.changes > 0) this.audit('export', 'pseudonym-key.create', null);
            return read();
          })
          .immediate();
    } catch (error) {
      throw new SpvError(
        'internal',
        `Cannot read or create the anonymisation key in the cases database (${this.db.name}): ${(error as Error).message}. No anonymised export is made without it: check that the data folder and its database are readable and writable.`,
        { cause: error },
      );
    }
    if (!Buffer.isBuffer(key) || key.length !== PSEUDONYM_KEY_BYTES)
      throw new SpvError(
        'internal',
        `The anonymisation key in the cases database (${this.db.name}) is damaged (${Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key}, not ${PSEUDONYM_KEY_BYTES}), so no anonymised export is made. Restore the database from a backup: a new key would give every patient a new pseudonym, unlinkable to earlier exports.`,
      );
    return key;
  }

  // ---- patients and cases ---------------------------------------------------------------------

  upsertPatient(patient: PatientInput): number {
    const existing = this.db
      .prepare('SELECT id FROM patients WHERE patient_key = ?')
      .get(patient.key) as { id: number } | undefined;
    if (existing) return existing.id;
    return Number(
      this.db
        .prepare(
          'INSERT INTO patients (patient_key, name, birth_date, sex, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(
          patient.key,
          patient.name ?? null,
          patient.birthDate ?? null,
          patient.sex ?? null,
          now(),
        ).lastInsertRowid,
    );
  }

  createCase(
    input: {
      patientId: number;
      studyInstanceUid: string | null;
      studyDate: string | null;
      title: string;
    },
    actor: string,
  ): number {
    return this.transaction(() => {
      const t = now();
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO cases (patient_id, study_instance_uid, study_date, title, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(input.patientId, input.studyInstanceUid, input.studyDate, input.title, 'new', t, t)
          .lastInsertRowid,
      );
      this.audit(actor, 'case.create', id, {
        title: input.title,
        studyInstanceUid: input.studyInstanceUid,
      });
      return id;
    });
  }

  caseByStudyUid(uid: string): CaseRow | null {
    return (
      (this.db.prepare(`${CASE_SELECT} WHERE c.study_instance_uid = ?`).get(uid) as
        CaseRow | undefined) ?? null
    );
  }

  caseByTitle(title: string): CaseRow | null {
    return (
      (this.db.prepare(`${CASE_SELECT} WHERE c.title = ? ORDER BY c.id LIMIT 1`).get(title) as
        CaseRow | undefined) ?? null
    );
  }

  getCase(id: number): CaseRow {
    const row = this.db.prepare(`${CASE_SELECT} WHERE c.id = ?`).get(id) as CaseRow | undefined;
    if (!row)
      throw new SpvError(
        'not-found',
        `There is no case ${id} in this database: see the worklist in the Review tab, or the case ids spv import printed (with spv, check --data-dir).`,
      );
    return row;
  }

  listCases(status?: CaseStatus | null): CaseRow[] {
    return (
      status
        ? this.db.prepare(`${CASE_SELECT} WHERE c.status = ? ORDER BY c.id`).all(status)
        : this.db.prepare(`${CASE_SELECT} ORDER BY c.id`).all()
    ) as CaseRow[];
  }

  /** Refuses any change to a signed-off case: a later change needs an unlock with a reason. */
  assertEditable(caseId: number): CaseRow {
    const row = this.getCase(caseId);
    if (row.status === 'signed-off') {
      throw new SpvError(
        'forbidden',
        `Case ${caseId} (${row.title}) was signed off by ${row.signedOffBy ?? 'a reader'} at ${row.signedOffAt ?? '?'}; unlock it with a reason before changing it (Review tab: Unlock; spv has no unlock command).`,
      );
    }
    return row;
  }

  setStatus(
    caseId: number,
    status: CaseStatus,
    actor: string,
    detail: Record<string, unknown> = {},
  ): void {
    this.transaction(() => {
      // Sign-off and unlock change the status themselves: nothing else moves a signed-off case.
      const before = this.assertEditable(caseId);
      if (before.status === status) return;
      this.db
        .prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, now(), caseId);
      this.audit(actor, 'case.status', caseId, { from: before.status, to: status, ...detail });
    });
  }

  flag(caseId: number, actor: string, comment: string): void {
    this.transaction(() => {
      const before = this.assertEditable(caseId);
      this.db
        .prepare(
          "UPDATE cases SET status = 'flagged', flag_comment = ?, updated_at = ? WHERE id = ?",
        )
        .run(comment, now(), caseId);
      this.audit(actor, 'case.flag', caseId, { from: before.status, comment });
    });
  }

  /**
   * Keeps the reader's newest patient inputs for the case (null: none given), whether or not an
   * estimate is saved with them (migration 9 says why). Not a change of the case's state, so
   * neither its updated_at nor the audit moves; refused on a signed-off case all the same.
   */
  setPatientInputs(caseId: number, patient: Patient | null): void {
    this.transaction(() => {
      this.assertEditable(caseId);
      // Every estimate of the viewer sends them: unchanged, nothing is written.
      const json = JSON.stringify(patient);
      this.db
        .prepare(
          'UPDATE cases SET patient_inputs_json = ? WHERE id = ? AND patient_inputs_json IS NOT ?',
        )
        .run(json, caseId, json);
    });
  }

  /**
   * The reader's newest patient inputs for the case (null: none given); undefined when none were
   * sent since the database had the column (the latest estimate's inputs stand for them then).
   */
  patientInputs(caseId: number): Patient | null | undefined {
    const row = this.db
      .prepare('SELECT patient_inputs_json AS json FROM cases WHERE id = ?')
      .get(caseId) as { json: string | null } | undefined;
    if (!row) this.getCase(caseId); // throws: a missing case is said so, as everywhere
    return row?.json == null ? undefined : (JSON.parse(row.json) as Patient | null);
  }

  /**
   * Signs off the case's latest estimate. `estimateId`, when given, is the estimate the reader saw:
   * refused if a newer one was saved since. Refused too when the latest estimate is stale: the
   * masks changed after it (an edit whose estimate failed or is still running) or the images were
   * recalibrated after it was asked for.
   *
   * `checked`: the checkFirst phrases (src/clinical/check-first.ts) the reader confirmed having
   * checked. An estimate that asks the reader to check something first (an uncertain AI outline,
   * views that look swapped, an implausible scale) is signed off only once every one of them is
   * confirmed, and the audit entry records what was: a verdict resting on doubts is never signed
   * as if nobody had been asked. Checked here, in the transaction, against the estimate signed.
   */
  signOff(
    caseId: number,
    actor: string,
    estimateId?: number,
    checked: readonly string[] = [],
  ): void {
    this.transaction(() => {
      const before = this.assertEditable(caseId);
      const estimate = this.latestEstimate(caseId);
      if (!estimate) {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}) has no estimate yet: open it, accept or correct the AI mask, then sign off.`,
        );
      }
      if (estimateId !== undefined && estimateId !== estimate.id) {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}): the estimate you reviewed (${estimateId}) is no longer the latest (${estimate.id}); a newer edit was saved since. Check the volume now shown, then sign off again.`,
        );
      }
      // Said first: after a swap the masks changed too, but the swap is what the reader did.
      const swap = this.lastViewSwap(caseId);
      if (swap && swap.estimateIdBefore !== null && estimate.id <= swap.estimateIdBefore) {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}): its coronal and transverse views were swapped after its latest estimate, so that volume is of the images the wrong way round. Open the case and let the volume update (or accept or correct the mask), then sign off.`,
        );
      }
      this.assertEstimateCurrent(before, estimate);
      if (estimate.estimate.inputDoubts === undefined) {
        // Saved before estimates said what to check first (schema 7): signed as it is, it would
        // ask nothing, whatever its inputs. Opening the case estimates it again.
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}): its latest estimate was made before this version checked an estimate's inputs (views, scale, outline). Open the case in the viewer so that it is estimated again, then sign off.`,
        );
      }
      const toCheck = checkFirst(estimate.estimate);
      const unchecked = toCheck.filter((phrase) => !checked.includes(phrase));
      if (unchecked.length > 0) {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}): its estimate asks you to check first: ${unchecked.map((p) => `"${p}"`).join(', ')}, and the sign-off did not confirm ${unchecked.length === 1 ? 'it' : 'them'}. Check ${unchecked.length === 1 ? 'it' : 'each'} on the images (correct the outline, calibration or views if wrong), then sign off confirming ${unchecked.length === 1 ? 'it' : 'them'}.`,
        );
      }
      const t = now();
      this.db
        .prepare(
          "UPDATE cases SET status = 'signed-off', signed_off_at = ?, signed_off_by = ?, updated_at = ? WHERE id = ?",
        )
        .run(t, actor, t, caseId);
      this.audit(actor, 'case.sign-off', caseId, {
        from: before.status,
        estimateId: estimate.id,
        version: before.version,
        volumeMl: estimate.estimate.volumeMl,
        // What the estimate asked to check first, and what the reader confirmed having checked.
        checkFirst: toCheck,
        // Only what it asked: a phrase it never asked about confirms nothing.
        checked: checked.filter((phrase) => toCheck.includes(phrase)),
      });
    });
  }

  /**
   * True when a view's latest mask is not the one the estimate used: the reader edited after it
   * and that edit has no volume yet (its estimate failed, is still running, or the case is not
   * calibrated). The transverse view counts only when the estimate used it: an estimate of the
   * coronal view alone (the transverse one not calibrated, so left out) does not go stale because
   * the transverse view has a mask.
   */
  masksChangedSince(
    caseId: number,
    estimate: Pick<EstimateRow, 'coronalMaskId' | 'transverseMaskId'>,
  ): boolean {
    const latest = this.latestMasks(caseId);
    const coronal = latest.coronal?.id ?? null;
    const transverse = latest.transverse?.id ?? null;
    return (
      (coronal !== null && coronal !== estimate.coronalMaskId) ||
      (estimate.transverseMaskId !== null && transverse !== estimate.transverseMaskId)
    );
  }

  /** Refuses an estimate that no longer describes the case: newer masks, or a new calibration. */
  private assertEstimateCurrent(row: CaseRow, estimate: EstimateRow): void {
    if (this.masksChangedSince(row.id, estimate)) {
      throw new SpvError(
        'bad-input',
        `Case ${row.id} (${row.title}): the mask was edited after its latest estimate, so the volume on record is not the mask's (the edit's estimate failed or has not finished). Wait for the volume to update, or fix the mask until it gives one, then sign off.`,
      );
    }
    if (estimate.calibration !== null && estimate.calibration !== this.calibrationOf(row.id)) {
      throw new SpvError(
        'bad-input',
        `Case ${row.id} (${row.title}) was recalibrated after its latest estimate, so the volume on record used the old calibration. Open the case and let the volume update (or accept or correct the mask), then sign off.`,
      );
    }
  }

  unlock(caseId: number, actor: string, reason: string): void {
    this.transaction(() => {
      const before = this.getCase(caseId);
      if (before.status !== 'signed-off') {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} is not signed off (it is ${before.status}); there is nothing to unlock.`,
        );
      }
      this.db
        .prepare(
          "UPDATE cases SET status = 'in-review', signed_off_at = NULL, signed_off_by = NULL, version = version + 1, updated_at = ? WHERE id = ?",
        )
        .run(now(), caseId);
      this.audit(actor, 'case.unlock', caseId, {
        reason,
        previousVersion: before.version,
        signedOffBy: before.signedOffBy,
        signedOffAt: before.signedOffAt,
      });
    });
  }

  /**
   * Swaps a two-view case's views: the image labelled coronal becomes the transverse one and vice
   * versa (for a pair imported named the wrong way round, which a re-import refuses as duplicates).
   * Each image keeps its file, its calibration (a column of its row) and its outlines.
   *
   * History stays append-only and truthful: no mask or estimate row is relabelled. Each image's
   * latest AI outline, and its latest outline if that is a reader's, is copied as a new mask
   * version under the image's new label (mask.save entries, with the mask copied). Every earlier
   * estimate keeps naming the mask versions it used, labelled as they were when it was made: it
   * stays what it was, an estimate of the old labelling, and sign-off no longer takes it (the
   * masks changed since, and lastViewSwap says so). Refused on a signed-off case (unlock it
   * first) and on a case without both views. One transaction, with its 'case.swap-views' entry.
   */
  swapViews(caseId: number, actor: string): ViewSwap {
    return this.transaction(() => {
      const before = this.assertEditable(caseId);
      const images = this.images(caseId);
      const coronal = images.find((i) => i.view === 'coronal');
      const transverse = images.find((i) => i.view === 'transverse');
      if (!coronal || !transverse) {
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}) has only a ${images[0]?.view ?? 'no'} image: there is no other view to swap it with. Swapping needs both a coronal and a transverse image: import the other view first (Import in the Review tab, or spv import PATH).`,
        );
      }
      // Read before anything is written: the copies become the latest masks of their new views.
      const carried = VIEWS.flatMap((from) =>
        this.outlinesToCarry(caseId, from).map((row) => ({ from, row })),
      );
      const outlined = new Set(carried.map((c) => c.from));
      if (outlined.size === 1) {
        const missing = otherView([...outlined][0]);
        throw new SpvError(
          'bad-input',
          `Case ${caseId} (${before.title}) has no outline of its ${missing} view yet, so after a swap that image would have none of its own. Open the case in the app (the Review tab's worklist), draw or correct the ${missing} outline (it is saved as you draw), then swap the views; spv cannot draw outlines.`,
        );
      }
      const estimateIdBefore = this.latestEstimate(caseId)?.id ?? null;
      this.db
        .prepare(
          "UPDATE images SET view = CASE view WHEN 'coronal' THEN 'transverse' ELSE 'coronal' END WHERE case_id = ?",
        )
        .run(caseId);
      const masks = carried.map(({ from, row }) => {
        const to = otherView(from);
        const copy = this.addMask(
          {
            caseId,
            view: to,
            source: row.source,
            author: row.author,
            width: row.width,
            height: row.height,
            areaPx: row.areaPx,
            png: row.png,
          },
          { actor, detail: { copiedFrom: { maskId: row.id, view: from }, by: SWAP_VIEWS_ACTION } },
        );
        return { from, to, fromMaskId: row.id, toMaskId: copy.id, version: copy.version };
      });
      this.db.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(now(), caseId);
      const swap: ViewSwap = { masks, estimateIdBefore };
      this.audit(actor, SWAP_VIEWS_ACTION, caseId, {
        images: [coronal, transverse].map((i) => ({
          path: i.originalPath,
          from: i.view,
          to: otherView(i.view),
          calibrated: i.calibration !== null,
        })),
        ...swap,
      });
      return swap;
    });
  }

  /**
   * A view's outlines a swap carries to the image's new label: its latest AI outline (what Accept
   * AI takes) and, when the latest is a reader's, that one after it (what the case shows).
   */
  private outlinesToCarry(caseId: number, view: ViewName): MaskRow[] {
    const ai = this.latestMask(caseId, view, 'ai');
    const latest = this.latestMask(caseId, view);
    return [ai, latest?.id === ai?.id ? null : latest].filter((row) => row !== null);
  }

  /**
   * The case's last view swap (its 'case.swap-views' entry), with the first mask version of each
   * view that is an outline of the image it now labels; null when its views were never swapped.
   */
  lastViewSwap(
    caseId: number,
  ): (ViewSwap & { firstVersions: Partial<Record<ViewName, number>> }) | null {
    const text = this.db
      .prepare(
        'SELECT detail_json FROM audit_log WHERE case_id = ? AND action = ? ORDER BY id DESC LIMIT 1',
      )
      .pluck()
      .get(caseId, SWAP_VIEWS_ACTION) as string | undefined;
    if (text === undefined) return null;
    const detail = JSON.parse(text) as Partial<ViewSwap>;
    const masks = detail.masks ?? [];
    const firstVersions: Partial<Record<ViewName, number>> = {};
    for (const m of masks)
      firstVersions[m.to] = Math.min(firstVersions[m.to] ?? m.version, m.version);
    return { masks, estimateIdBefore: detail.estimateIdBefore ?? null, firstVersions };
  }

  /**
   * True when the case's images are under each other's view names since import: its views were
   * swapped in the app an odd number of times ('case.swap-views' entries; a swap back undoes one).
   */
  viewsSwappedSinceImport(caseId: number): boolean {
    const swaps = this.db
      .prepare('SELECT COUNT(*) FROM audit_log WHERE case_id = ? AND action = ?')
      .pluck()
      .get(caseId, SWAP_VIEWS_ACTION) as number;
    return swaps % 2 === 1;
  }

  // ---- images ---------------------------------------------------------------------------------

  imageByHashOrSop(contentHash: string, sopInstanceUid: string | null): ImageRow | null {
    const row = this.db
      .prepare(
        `${IMAGE_SELECT} WHERE content_hash = ? OR (sop_instance_uid IS NOT NULL AND sop_instance_uid = ?)`,
      )
      .get(contentHash, sopInstanceUid) as ImageDbRow | undefined;
    return row ? imageFromDb(row) : null;
  }

  /**
   * The stored image with this content (SHA-256), if any: the one a moved file is found again by
   * (importPaths relocates it). The SOP Instance UID alone never stands for the same file.
   */
  imageByContentHash(contentHash: string): ImageRow | null {
    const row = this.db
      .prepare(`${IMAGE_SELECT} WHERE content_hash = ? ORDER BY id LIMIT 1`)
      .get(contentHash) as ImageDbRow | undefined;
    return row ? imageFromDb(row) : null;
  }

  /**
   * Points a stored image at the place its file moved to: the caller has checked that the file
   * there has the content imported (its SHA-256) and that the old place no longer has it. Allowed
   * on a signed-off case: the image is byte for byte the one signed off, only its path changes.
   * Audited as 'image.relocate' with the old and new path.
   */
  relocateImage(imageId: number, newPath: string, actor: string): ImageRow {
    return this.transaction(() => {
      const before = this.db.prepare(`${IMAGE_SELECT} WHERE id = ?`).get(imageId) as
        ImageDbRow | undefined;
      if (!before) throw new SpvError('not-found', `There is no stored image ${imageId}.`);
      this.db.prepare('UPDATE images SET original_path = ? WHERE id = ?').run(newPath, imageId);
      this.audit(actor, 'image.relocate', before.caseId, {
        view: before.view,
        from: before.originalPath,
        to: newPath,
        contentHash: before.contentHash,
      });
      return { ...imageFromDb(before), originalPath: newPath };
    });
  }

  addImage(input: ImageInput, actor: string): number {
    return this.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO images (case_id, view, content_hash, sop_instance_uid, original_path, format, width, height, calibration_json, meta_json, imported_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.caseId,
            input.view,
            input.contentHash,
            input.sopInstanceUid,
            input.originalPath,
            input.format,
            input.width,
            input.height,
            input.calibration ? JSON.stringify(input.calibration) : null,
            JSON.stringify(input.meta),
            now(),
          ).lastInsertRowid,
      );
      this.audit(actor, 'image.import', input.caseId, {
        view: input.view,
        path: input.originalPath,
        contentHash: input.contentHash,
      });
      return id;
    });
  }

  /** A calibration the reader drew (depth ruler): kept so the case reopens calibrated. */
  setImageCalibration(
    caseId: number,
    view: ViewName,
    calibration: Calibration,
    actor: string,
  ): void {
    this.transaction(() => {
      this.assertEditable(caseId);
      const result = this.db
        .prepare('UPDATE images SET calibration_json = ? WHERE case_id = ? AND view = ?')
        .run(JSON.stringify(calibration), caseId, view);
      if (result.changes === 0)
        throw new SpvError('not-found', `Case ${caseId} has no ${view} image to calibrate.`);
      this.audit(actor, 'image.calibrate', caseId, { view, calibration });
    });
  }

  /**
   * The calibration of the case's images, as one comparable text: an estimate records the one it
   * was asked with, and a different one now means the images were recalibrated since.
   */
  calibrationOf(caseId: number): string {
    const rows = this.db
      .prepare('SELECT view, calibration_json AS c FROM images WHERE case_id = ? ORDER BY view, id')
      .all(caseId) as { view: ViewName; c: string | null }[];
    return JSON.stringify(rows.map((r) => [r.view, r.c]));
  }

  images(caseId: number): ImageRow[] {
    return (
      this.db.prepare(`${IMAGE_SELECT} WHERE case_id = ? ORDER BY id`).all(caseId) as ImageDbRow[]
    ).map(imageFromDb);
  }

  // ---- masks ----------------------------------------------------------------------------------

  /**
   * Saves a mask version. `audited` names who made this version and why when that is not its
   * author (a view swap copying an outline under its image's new label: the outline is still the
   * author's, the copy the swapping reader's).
   */
  addMask(input: MaskInput, audited?: { actor: string; detail: Record<string, unknown> }): MaskRow {
    return this.transaction(() => {
      // Every source: accepting the AI's mask again is a change too (unlock with a reason first).
      this.assertEditable(input.caseId);
      const { v } = this.db
        .prepare(
          'SELECT COALESCE(MAX(version), 0) + 1 AS v FROM masks WHERE case_id = ? AND view = ?',
        )
        .get(input.caseId, input.view) as { v: number };
      const createdAt = now();
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO masks (case_id, view, version, source, author, created_at, width, height, area_px, png) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            input.caseId,
            input.view,
            v,
            input.source,
            input.author,
            createdAt,
            input.width,
            input.height,
            input.areaPx,
            input.png,
          ).lastInsertRowid,
      );
      this.audit(audited?.actor ?? input.author, 'mask.save', input.caseId, {
        view: input.view,
        version: v,
        source: input.source,
        areaPx: input.areaPx,
        ...audited?.detail,
      });
      return { ...input, id, version: v, createdAt };
    });
  }

  masks(caseId: number): MaskRow[] {
    return this.db
      .prepare(`${MASK_SELECT} WHERE case_id = ? ORDER BY view, version`)
      .all(caseId) as MaskRow[];
  }

  /** The newest mask of a view, optionally of one source only (the AI's, or the reader's). */
  latestMask(caseId: number, view: ViewName, source?: 'ai' | 'manual'): MaskRow | null {
    const row = source
      ? this.db
          .prepare(
            `${MASK_SELECT} WHERE case_id = ? AND view = ? AND source = ? ORDER BY version DESC LIMIT 1`,
          )
          .get(caseId, view, source)
      : this.db
          .prepare(`${MASK_SELECT} WHERE case_id = ? AND view = ? ORDER BY version DESC LIMIT 1`)
          .get(caseId, view);
    return (row as MaskRow | undefined) ?? null;
  }

  /**
   * The newest mask of every view at once (a view without one is absent), optionally of one
   * source only: one read where a caller needs both views (latestMask reads one).
   */
  latestMasks(caseId: number, source?: 'ai' | 'manual'): Partial<Record<ViewName, MaskRow>> {
    // (case_id, view, version) is unique: each view's newest version is one row.
    const newest = source
      ? 'SELECT view, MAX(version) FROM masks WHERE case_id = ? AND source = ? GROUP BY view'
      : 'SELECT view, MAX(version) FROM masks WHERE case_id = ? GROUP BY view';
    const rows = this.db
      .prepare(`${MASK_SELECT} WHERE case_id = ? AND (view, version) IN (${newest})`)
      .all(caseId, caseId, ...(source ? [source] : [])) as MaskRow[];
    return Object.fromEntries(rows.map((row) => [row.view, row]));
  }

  maskById(id: number): MaskRow | null {
    return (this.db.prepare(`${MASK_SELECT} WHERE id = ?`).get(id) as MaskRow | undefined) ?? null;
  }

  // ---- estimates and measurements -------------------------------------------------------------

  addEstimate(input: EstimateInput): EstimateRow {
    return this.transaction(() => {
      this.assertEditable(input.caseId);
      const e = input.estimate;
      const createdAt = now();
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO estimates (case_id, source, coronal_mask_id, transverse_mask_id, model, model_version, model_hash, provider,
               volume_ml, ci_low_ml, ci_high_ml, lengths_json, caliper_lengths_json, formulas_json, classification_json, warnings_json,
               calibration_json, patient_json, caliper_lines_json, uncertain_outline_json, input_doubts_json, check_first_warnings_json, author, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.caseId,
            input.source,
            input.coronalMaskId,
            input.transverseMaskId,
            e.model,
            e.modelVersion,
            input.modelHash,
            e.provider,
            e.volumeMl,
            e.ci95Ml[0],
            e.ci95Ml[1],
            JSON.stringify(e.lengths),
            e.caliperLengths === undefined ? null : JSON.stringify(e.caliperLengths),
            JSON.stringify(e.formulas),
            JSON.stringify(e.classification),
            JSON.stringify(e.warnings),
            input.calibration ?? null,
            input.patient === undefined ? null : JSON.stringify(input.patient),
            input.caliperLines === undefined ? null : JSON.stringify(input.caliperLines),
            e.uncertainOutline === undefined ? null : JSON.stringify(e.uncertainOutline),
            e.inputDoubts === undefined ? null : JSON.stringify(e.inputDoubts),
            e.checkFirstWarnings === undefined ? null : JSON.stringify(e.checkFirstWarnings),
            input.author,
            createdAt,
          ).lastInsertRowid,
      );
      this.audit(input.author, 'estimate.save', input.caseId, {
        source: input.source,
        volumeMl: e.volumeMl,
        ci95Ml: e.ci95Ml,
        modelVersion: e.modelVersion,
      });
      return {
        ...input,
        calibration: input.calibration ?? null,
        patient: input.patient,
        caliperLines: input.caliperLines,
        id,
        createdAt,
      };
    });
  }

  latestEstimate(caseId: number, source?: 'ai' | 'manual'): EstimateRow | null {
    const row = source
      ? this.db
          .prepare(`${ESTIMATE_SELECT} WHERE case_id = ? AND source = ? ORDER BY id DESC LIMIT 1`)
          .get(caseId, source)
      : this.db
          .prepare(`${ESTIMATE_SELECT} WHERE case_id = ? ORDER BY id DESC LIMIT 1`)
          .get(caseId);
    return row ? estimateFromDb(row as EstimateDbRow) : null;
  }

  estimates(caseId: number): EstimateRow[] {
    return (
      this.db
        .prepare(`${ESTIMATE_SELECT} WHERE case_id = ? ORDER BY id`)
        .all(caseId) as EstimateDbRow[]
    ).map(estimateFromDb);
  }

  addMeasurement(input: MeasurementInput): number {
    return this.transaction(() => {
      this.assertEditable(input.caseId);
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO measurements (case_id, view, kind, value_cm, points_json, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            input.caseId,
            input.view,
            input.kind,
            input.valueCm,
            input.points ? JSON.stringify(input.points) : null,
            input.author,
            now(),
          ).lastInsertRowid,
      );
      this.audit(input.author, 'measurement.save', input.caseId, {
        view: input.view,
        kind: input.kind,
        valueCm: input.valueCm,
      });
      return id;
    });
  }

  measurements(caseId: number): (MeasurementInput & { id: number; createdAt: string })[] {
    const rows = this.db
      .prepare(
        'SELECT id, case_id AS caseId, view, kind, value_cm AS valueCm, points_json AS p, author, created_at AS createdAt FROM measurements WHERE case_id = ? ORDER BY id',
      )
      .all(caseId) as (Omit<MeasurementInput, 'points'> & {
      id: number;
      createdAt: string;
      p: string | null;
    })[];
    return rows.map(({ p, ...row }) => ({
      ...row,
      points: p ? (JSON.parse(p) as MeasurementInput['points']) : null,
    }));
  }

  // ---- review sessions ------------------------------------------------------------------------

  createSession(reader: string, caseIds: number[], title: string): number {
    return this.transaction(() => {
      for (const id of caseIds) this.getCase(id);
      const sessionId = Number(
        this.db
          .prepare('INSERT INTO review_sessions (title, reader, created_at) VALUES (?, ?, ?)')
          .run(title, reader, now()).lastInsertRowid,
      );
      const add = this.db.prepare(
        'INSERT INTO session_cases (session_id, case_id, position) VALUES (?, ?, ?)',
      );
      [...new Set(caseIds)].forEach((caseId, position) => add.run(sessionId, caseId, position));
      this.audit(reader, 'session.create', null, { sessionId, caseIds, title });
      return sessionId;
    });
  }

  getSession(id: number): SessionRow {
    const row = this.db
      .prepare(
        'SELECT id, title, reader, created_at AS createdAt FROM review_sessions WHERE id = ?',
      )
      .get(id) as SessionRow | undefined;
    if (!row)
      throw new SpvError(
        'not-found',
        `There is no review session ${id}: see spv session list or the Review tab; create one with spv session create --reader NAME CASE… or from a selection in the Review tab.`,
      );
    return row;
  }

  listSessions(): SessionRow[] {
    return this.db
      .prepare(
        'SELECT id, title, reader, created_at AS createdAt FROM review_sessions ORDER BY id DESC',
      )
      .all() as SessionRow[];
  }

  sessionCases(sessionId: number): SessionCaseRow[] {
    return this.db
      .prepare(
        'SELECT session_id AS sessionId, case_id AS caseId, position, time_spent_ms AS timeSpentMs FROM session_cases WHERE session_id = ? ORDER BY position',
      )
      .all(sessionId) as SessionCaseRow[];
  }

  addTimeSpent(sessionId: number, caseId: number, ms: number, actor: string): SessionCaseRow {
    return this.transaction(() => {
      const result = this.db
        .prepare(
          'UPDATE session_cases SET time_spent_ms = time_spent_ms + ? WHERE session_id = ? AND case_id = ?',
        )
        .run(Math.round(ms), sessionId, caseId);
      if (result.changes === 0)
        throw new SpvError('not-found', `Case ${caseId} is not in review session ${sessionId}.`);
      this.audit(actor, 'session.time', caseId, { sessionId, ms: Math.round(ms) });
      return this.sessionCases(sessionId).find((row) => row.caseId === caseId)!;
    });
  }
}

const otherView = (view: ViewName): ViewName => (view === 'coronal' ? 'transverse' : 'coronal');

const IMAGE_SELECT = `SELECT id, case_id AS caseId, view, content_hash AS contentHash, sop_instance_uid AS sopInstanceUid,
  original_path AS originalPath, format, width, height, calibration_json AS calibrationJson, meta_json AS metaJson,
  imported_at AS importedAt FROM images`;

const MASK_SELECT = `SELECT id, case_id AS caseId, view, version, source, author, created_at AS createdAt, width, height,
  area_px AS areaPx, png FROM masks`;

const ESTIMATE_SELECT = `SELECT id, case_id AS caseId, source, coronal_mask_id AS coronalMaskId, transverse_mask_id AS transverseMaskId,
  model, model_version AS modelVersion, model_hash AS modelHash, provider, volume_ml AS volumeMl, ci_low_ml AS ciLowMl,
  ci_high_ml AS ciHighMl, lengths_json AS lengthsJson, caliper_lengths_json AS caliperLengthsJson, formulas_json AS formulasJson, classification_json AS classificationJson,
  warnings_json AS warningsJson, calibration_json AS calibrationJson, patient_json AS patientJson,
  caliper_lines_json AS caliperLinesJson, uncertain_outline_json AS uncertainOutlineJson,
  input_doubts_json AS inputDoubtsJson, check_first_warnings_json AS checkFirstWarningsJson, author,
  created_at AS createdAt FROM estimates`;

function imageFromDb(row: ImageDbRow): ImageRow {
  const { calibrationJson, metaJson, ...rest } = row;
  return {
    ...rest,
    calibration: calibrationJson ? (JSON.parse(calibrationJson) as ImageRow['calibration']) : null,
    meta: JSON.parse(metaJson) as Record<string, unknown>,
  };
}

function estimateFromDb(row: EstimateDbRow): EstimateRow {
  const estimate: Estimate = {
    volumeMl: row.volumeMl,
    ci95Ml: [row.ciLowMl, row.ciHighMl],
    model: row.model,
    modelVersion: row.modelVersion,
    provider: row.provider,
    lengths: JSON.parse(row.lengthsJson) as Estimate['lengths'],
    ...(row.caliperLengthsJson !== null && {
      caliperLengths: JSON.parse(row.caliperLengthsJson) as Estimate['caliperLengths'],
    }),
    formulas: JSON.parse(row.formulasJson) as Estimate['formulas'],
    classification: JSON.parse(row.classificationJson) as Estimate['classification'],
    warnings: JSON.parse(row.warningsJson) as string[],
    ...(row.uncertainOutlineJson !== null && {
      uncertainOutline: JSON.parse(row.uncertainOutlineJson) as Estimate['uncertainOutline'],
    }),
    ...(row.inputDoubtsJson !== null && {
      inputDoubts: JSON.parse(row.inputDoubtsJson) as string[],
    }),
    ...(row.checkFirstWarningsJson !== null && {
      checkFirstWarnings: JSON.parse(row.checkFirstWarningsJson) as Estimate['checkFirstWarnings'],
    }),
    // Wall time is a property of the run that produced it, not of the result: not stored.
    elapsedMs: 0,
  };
  return {
    id: row.id,
    caseId: row.caseId,
    source: row.source,
    coronalMaskId: row.coronalMaskId,
    transverseMaskId: row.transverseMaskId,
    modelHash: row.modelHash,
    author: row.author,
    createdAt: row.createdAt,
    estimate,
    calibration: row.calibrationJson,
    ...(row.patientJson !== null && { patient: JSON.parse(row.patientJson) as Patient | null }),
    ...(row.caliperLinesJson !== null && {
      caliperLines: JSON.parse(row.caliperLinesJson) as CaliperLine[],
    }),
  };
}
