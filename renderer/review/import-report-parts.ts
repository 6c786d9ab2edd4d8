/**
 * The parts of an import's report as the Review tab says them (CaseBrowser): the files found again
 * after they moved apart from the other duplicates, and the files not imported apart from the
 * cases the AI could not run on. The store reports both kinds in one list each (src/store/import.ts,
 * src/store-service/service.ts); said as one, a re-import that repaired a case read as "nothing
 * imported", and an image imported into a case the AI could not run on read as a file refused.
 */
import type { ImportReport } from '../../src/api/store-contract';

type ReportLine = ImportReport['duplicates'][number];

/**
 * What the store says of a duplicate that was a case's own image found at a new place
 * (src/store/import.ts, audited as image.relocate): the case now reads it from there.
 */
const MOVED_FILE_FOUND = 'its file had moved';
/** What the store-service says of a case the AI did not run on after the import. */
const AI_DID_NOT_RUN = 'the AI did not run';

export interface ImportReportParts {
  /** Images already stored whose file had moved: found again here, their case reads them from here. */
  movedFound: ReportLine[];
  /** Copies of images already stored, left out. */
  duplicates: ReportLine[];
  /**
   * Files that could not be imported. A case the AI did not run on (path "case N") is not one: its
   * images were imported, and the AI results (ImportAiResults) say why it has no volume.
   */
  failedFiles: ReportLine[];
}

export function importReportParts(report: ImportReport): ImportReportParts {
  const aiCases = new Set((report.ai ?? []).map((r) => `case ${r.caseId}`));
  const isAiFailure = (f: ReportLine) => aiCases.has(f.path) && f.reason.startsWith(AI_DID_NOT_RUN);
  const isMovedFound = (d: ReportLine) => d.reason.includes(MOVED_FILE_FOUND);
  return {
    movedFound: report.duplicates.filter(isMovedFound),
    duplicates: report.duplicates.filter((d) => !isMovedFound(d)),
    failedFiles: report.failed.filter((f) => !isAiFailure(f)),
  };
}
