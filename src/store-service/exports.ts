/**
 * Exports of stored cases: a session's summary, plots and case reports written into a folder, and
 * a case's report as a PDF, an Encapsulated PDF or a Comprehensive SR. Each export is audited.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseApi } from '../api/contract';
import { SpvError } from '../api/errors';
import type { ExportedFile, ReportFormat, SessionSummary } from '../api/store-contract';
import { Pseudonyms } from '../reports/anon-pseudonyms';
import { exportDicomReport } from '../reports/dicom-export';
import { caseReview } from '../reports/review-state';
import { sessionSummaryCsv, summariseSession } from '../reports/session-summary';
import type { CaseStore } from '../store/store';
import type { CaseRow, ImageRow } from '../store/types';
import { estimateCaliperLines } from './calipers';
import type { OpenCases } from './open-cases';
import { buildCaseReportPdf } from './report-builder';
import { signOffChecks } from '../reports/signoff-checks';
import { estimateMasks, storedMasks } from './saved-masks';

export class CaseExports {
  constructor(
    private readonly store: CaseStore,
    private readonly engine: CaseApi,
    private readonly openCases: OpenCases,
    /** Exports without a folder of their own go under dataDir/exports. */
    private readonly dataDir: string,
  ) {}

  /**
   * Writes the session's export into a new folder under dataDir/exports. Anonymised, the folder
   * (often zipped and shared as it is) is named neither by the session's id in this database nor
   * by a date (the export day is often the reading day): `anonymised-session-3f9a1c`.
   */
  async exportSession(sessionId: number, anonymise = false): Promise<ExportedFile[]> {
    // Refused before its folder is made: a session that is not there, an anonymisation key that
    // cannot be read (exportSessionTo checks again, for a folder of the caller's).
    this.store.getSession(sessionId);
    if (anonymise) this.pseudonyms();
    const folder = anonymise
      ? this.anonymisedFolder('anonymised-session')
      : this.exportFolder(`session-${sessionId}`);
    return this.exportSessionTo(sessionId, folder, anonymise);
  }

  /**
   * Writes the session's summary CSV, its plots and each estimated case's PDF into `folder`;
   * refused, before anything is written, when the folder already holds an export's summary.
   * Anonymised, the summary carries no patient id, case id, title, flag comment (free text may
   * name the patient), sign-off time or reader's name, the ids and names replaced by keyed
   * pseudonyms, and the reports are the anonymised ones, named by the case's pseudonymous
   * reference; the plots hold only volumes.
   */
  async exportSessionTo(
    sessionId: number,
    folder: string,
    anonymise = false,
  ): Promise<ExportedFile[]> {
    if (existsSync(join(folder, 'summary.csv')))
      throw new SpvError(
        'bad-input',
        `${folder} already holds summary.csv (an earlier export): give a new or empty folder, or move the earlier export away first.`,
      );
    // Before anything is written: without its key, an anonymised export is not made at all.
    const pseudonyms = anonymise ? this.pseudonyms() : null;
    const summary = await summariseSession(this.store, sessionId);
    mkdirSync(folder, { recursive: true });
    const shared = pseudonyms ? anonymisedSummary(summary, pseudonyms) : summary;
    const files: ExportedFile[] = [
      writeExport(folder, 'summary.csv', 'text/csv', Buffer.from(sessionSummaryCsv(shared))),
    ];
    for (const plot of summary.pngs)
      files.push(writeExport(folder, plot.fileName, 'image/png', plot.png));
    for (const row of summary.rows) {
      if (row.finalVolumeMl === null) continue;
      const caseId = Number(row.caseId);
      const pdf = await this.casePdf(caseId, summary.reader, pseudonyms);
      files.push(writeExport(folder, reportFileName(caseId, pseudonyms), 'application/pdf', pdf));
    }
    this.store.audit(summary.reader, 'session.export', null, {
      sessionId,
      anonymise,
      folder,
      files: files.map((f) => f.name),
    });
    return files;
  }

  /** `actor` is who asked for the export, for the audit trail ('export' when nobody is named). */
  async exportReport(
    caseId: number,
    format: ReportFormat,
    anonymise: boolean,
    actor = 'export',
  ): Promise<ExportedFile> {
    const report = await this.renderReport(caseId, format, anonymise);
    const file = writeExport(
      // Anonymised, the folder (shared with the file, perhaps) does not name the case either.
      anonymise ? this.anonymisedFolder('anonymised-report') : this.exportFolder(`case-${caseId}`),
      report.fileName,
      report.mimeType,
      report.bytes,
    );
    this.store.audit(actor, 'report.export', caseId, {
      format,
      anonymise,
      path: file.path,
    });
    return file;
  }

  /**
   * A case's report as a PDF, an Encapsulated PDF or a Comprehensive SR, in memory. Anonymised,
   * its file name carries the case's pseudonymous reference, not its id in this database.
   */
  async renderReport(
    caseId: number,
    format: ReportFormat,
    anonymise: boolean,
  ): Promise<{ bytes: Buffer; fileName: string; mimeType: string }> {
    const pseudonyms = anonymise ? this.pseudonyms() : null;
    const pdf = await this.casePdf(caseId, null, pseudonyms);
    if (format === 'pdf')
      return {
        bytes: pdf,
        fileName: reportFileName(caseId, pseudonyms),
        mimeType: 'application/pdf',
      };
    const kind = format === 'dicom-pdf' ? 'encapsulated-pdf' : 'comprehensive-sr';
    const estimateRow = this.requireEstimate(caseId);
    const common = {
      kind,
      pdf,
      source: this.dicomSource(caseId),
      estimate: estimateRow.estimate,
      // The SR says, as the PDF does, whether the sign-off confirmed what the estimate asked.
      checkedAtSignOff: signOffChecks(this.store, this.store.getCase(caseId), estimateRow),
      // Whom its verdicts were decided for, as the PDF says (an anonymised SR leaves it out).
      limitsFor: estimateRow.patient,
    } as const;
    const bytes = exportDicomReport(
      pseudonyms ? { ...common, anonymise: true, pseudonyms } : { ...common, anonymise: false },
    );
    return {
      bytes,
      fileName: reportFileName(caseId, pseudonyms, format === 'dicom-pdf' ? 'pdf' : 'sr'),
      mimeType: 'application/dicom',
    };
  }

  /**
   * The keyed pseudonyms of this installation's anonymised exports, readers' names included;
   * throws, with what to do, when the key cannot be read or created (never an unkeyed fallback).
   */
  private pseudonyms(): Pseudonyms {
    return new Pseudonyms(this.store.pseudonymKey());
  }

  private requireEstimate(caseId: number) {
    const estimate = this.store.latestEstimate(caseId);
    if (!estimate)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no estimate: its images are not calibrated. Calibrate them in the app (open the case from the Review tab's worklist, then Calibrate); spv cannot calibrate a stored case.`,
      );
    return estimate;
  }

  /** The case's PDF report; anonymised when given the installation's pseudonyms. */
  private async casePdf(
    caseId: number,
    sessionReader: string | null,
    pseudonyms: Pseudonyms | null,
  ): Promise<Buffer> {
    const row = this.store.getCase(caseId);
    // Opening first runs the AI on a case never opened, so its report shows the AI's estimate.
    const open = await this.openCases.open(caseId, sessionReader ?? 'report', null);
    const estimateRow = this.requireEstimate(caseId);
    // The masks behind the estimate's numbers (a later edit saved without a volume is not them).
    const masks =
      (await estimateMasks(this.store, estimateRow)) ?? (await storedMasks(this.store, caseId));
    if (!masks)
      throw new SpvError(
        'bad-input',
        `Case ${caseId} has no mask yet: open it from the worklist in the Review tab first.`,
      );
    const review = caseReview(this.store, caseId);
    const checked = signOffChecks(this.store, row, estimateRow);
    // Anonymised, every reader's name in the report is the reader's keyed pseudonym.
    const readerName = (name: string) => (pseudonyms ? pseudonyms.reader(name) : name);
    const explanation = await this.engine
      .explain({ caseId: open.engineCaseId, masks })
      .catch(() => null);
    return buildCaseReportPdf({
      view: open.view,
      masks: { coronal: masks.coronal, transverse: masks.transverse ?? null },
      calipers: estimateCaliperLines(this.store, caseId, estimateRow),
      estimate: estimateRow.estimate,
      explanation,
      // Anonymised: the title can hold the patient id (imports name cases after it), so it goes
      // too, and the case id (this database's row, which the hospital's copy shows) is replaced.
      patient: pseudonyms
        ? { id: pseudonyms.patientId(row.patientKey), name: 'ANONYMOUS' }
        : { id: row.patientKey, name: row.patientName },
      study: pseudonyms
        ? {
            caseId: pseudonyms.caseRef(row.id),
            title: pseudonyms.caseRef(row.id),
            studyInstanceUid: null,
            studyDate: null,
          }
        : {
            caseId: String(row.id),
            title: row.title,
            studyInstanceUid: row.studyInstanceUid,
            studyDate: row.studyDate,
          },
      // What a reader did with the masks, not who is exporting: an untouched case has no reader.
      maskSource: review.masks,
      reader: review.reader === null ? null : readerName(review.reader),
      signedOffAt: row.signedOffAt,
      // What the reader confirmed at sign-off settles the verdicts (anonymised too: it names the
      // reader by pseudonym, as the Reader line does, and says no date).
      checkedAtSignOff: checked && { ...checked, reader: readerName(checked.reader) },
      viewsSwapped: this.store.viewsSwappedSinceImport(caseId),
      // Whom the verdicts were decided for; not in an anonymised report (no sex, no birth date).
      ...(pseudonyms === null && estimateRow.patient !== undefined
        ? { limitsFor: estimateRow.patient }
        : {}),
      status:
        `${row.status} (version ${row.version})` +
        (this.store.masksChangedSince(caseId, estimateRow)
          ? ' — the masks were edited after this estimate and that edit has no volume yet: the report shows the estimated masks'
          : ''),
      modelHash: estimateRow.modelHash,
      anonymise: pseudonyms !== null,
    });
  }

  private dicomSource(caseId: number) {
    const row = this.store.getCase(caseId);
    const images = this.store.images(caseId);
    // Study-level attributes as the source DICOM wrote them (its first image that has each).
    const studyText = (key: string): string | null =>
      images.map((i) => i.meta[key]).find((v): v is string => typeof v === 'string') ?? null;
    return {
      patientId: row.patientKey,
      patientName: row.patientName,
      patientBirthDate: row.patientBirthDate,
      patientSex: row.patientSex,
      studyInstanceUid: row.studyInstanceUid,
      caseIdentity: caseIdentity(row, images),
      studyDate: row.studyDate,
      studyTime: studyText('studyTime'),
      accessionNumber: studyText('accessionNumber'),
      studyId: studyText('studyId'),
      title: row.title,
      referencedImages: images
        .filter((i) => i.sopInstanceUid)
        .map((i) => ({
          sopInstanceUid: i.sopInstanceUid!,
          sopClassUid:
            typeof i.meta.sopClassUid === 'string'
              ? i.meta.sopClassUid
              : '1.2.840.10008.5.1.4.1.1.6.1',
          seriesInstanceUid:
            typeof i.meta.seriesInstanceUid === 'string' ? i.meta.seriesInstanceUid : null,
        })),
      signedOffBy: row.signedOffBy,
      signedOffAt: row.signedOffAt,
    };
  }

  /** A new folder under dataDir/exports, `<prefix>-<time to the millisecond>`. */
  private exportFolder(prefix: string): string {
    const time = new Date().toISOString().replace(/[:.]/g, '-');
    return newExportFolder(join(this.dataDir, 'exports'), `${prefix}-${time}`);
  }

  /**
   * A new folder for an anonymised export, `<prefix>-<6 random hex digits>`: no date (the export
   * day is often the day of the reading, a date of care) and no id of this database. The export
   * links and the audit log say which is which.
   */
  private anonymisedFolder(prefix: string): string {
    return newExportFolder(
      join(this.dataDir, 'exports'),
      `${prefix}-${randomBytes(3).toString('hex')}`,
    );
  }
}

/** How many `<name>-N` folders newExportFolder tries before it gives up. */
const MAX_FOLDER_SUFFIX = 1000;

/**
 * Creates the folder `name` under `parent` (made if missing), or `name-2`, `name-3`… when that
 * name is taken: an export never writes into an earlier export's folder (two exports in one
 * minute share their name). Returns its path.
 */
export function newExportFolder(parent: string, name: string): string {
  mkdirSync(parent, { recursive: true });
  for (let n = 1; n <= MAX_FOLDER_SUFFIX; n++) {
    const folder = join(parent, n === 1 ? name : `${name}-${n}`);
    try {
      mkdirSync(folder); // not recursive: fails when the folder is there, so it is never shared
      return folder;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new SpvError(
    'bad-input',
    `${join(parent, name)}: ${MAX_FOLDER_SUFFIX} export folders of this name exist already. Move earlier exports out of ${parent}.`,
  );
}

/**
 * A session summary with nothing that names the patient or the readers or links back to this
 * database: patient and case ids and readers' names replaced by keyed pseudonyms, the session's
 * id, titles and comments out, and whether a case was signed off without when (a date of care).
 * (The session's name, free text, is no part of a summary.)
 */
function anonymisedSummary<S extends SessionSummary>(summary: S, pseudonyms: Pseudonyms): S {
  return {
    ...summary,
    // The session's row in this database: no column of the summary may carry it.
    sessionId: '(left out: anonymised)',
    reader: pseudonyms.reader(summary.reader),
    rows: summary.rows.map((row) => ({
      ...row,
      caseId: pseudonyms.caseRef(row.caseId),
      title: '(title left out: anonymised)',
      patientKey: pseudonyms.patientId(row.patientKey),
      flagComment: row.flagComment === null ? null : '(comment left out: anonymised)',
      signedOffBy: row.signedOffBy === null ? null : pseudonyms.reader(row.signedOffBy),
      signedOffAt: row.signedOffAt === null ? null : '(time left out: anonymised)',
      // Age and sex: left out as the anonymised report leaves them out.
      limitsFor: null,
    })),
    notReviewed: summary.notReviewed.map((c) => ({ ...c, caseId: pseudonyms.caseRef(c.caseId) })),
  };
}

/**
 * A report's file name: `report-case-12.pdf`, `report-sr-case-12.dcm`; anonymised, the case's
 * pseudonymous reference instead of its id in this database (`report-CASE-8D2E40B1F6-anon.pdf`).
 */
function reportFileName(
  caseId: number,
  pseudonyms: Pseudonyms | null,
  dicom?: 'pdf' | 'sr',
): string {
  const suffix = pseudonyms ? `${pseudonyms.caseRef(caseId)}-anon` : `case-${caseId}`;
  return dicom ? `report-${dicom}-${suffix}.dcm` : `report-${suffix}.pdf`;
}

/**
 * What tells this case from every other, here and in other databases: its id (unique in this
 * database), when it was created (to the millisecond) and the content hash of its first image
 * (what was scanned). It never changes, so a re-export derives the same study UID from it.
 */
function caseIdentity(row: CaseRow, images: readonly ImageRow[]): string {
  return `${row.id}:${row.createdAt}:${images[0]?.contentHash ?? ''}`;
}

function writeExport(folder: string, name: string, mimeType: string, bytes: Buffer): ExportedFile {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { name, path, mimeType, dataUrl: `data:${mimeType};base64,${bytes.toString('base64')}` };
}
