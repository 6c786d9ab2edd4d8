/**
 * The parts of an import's report as the Review tab says them (CaseBrowser): the files found again
 * after they moved, the copies left out, the files not imported, and the cases the AI could not run
 * on that its results do not list. Each is a field of the report of its own (src/store/import.ts,
 * src/store-service/service.ts): nothing here is told apart by the words of a reason.
 */
import type { ImportReport } from '../../src/api/store-contract';

type Relocated = ImportReport['relocated'][number];

export interface ImportReportParts {
  /** Images already stored whose file had moved: found again here, their case reads them from here. */
  relocated: readonly Relocated[];
  /** Copies of images already stored, left out. */
  duplicates: ImportReport['duplicates'];
  /** Files that could not be imported. */
  failedFiles: ImportReport['failed'];
  /**
   * Cases the AI could not run on that no AI result lists (those it lists say why they have no
   * volume themselves, ImportAiResults): their images were imported, so they are not files failed.
   */
  aiFailedUnlisted: ImportReport['aiFailed'];
}

/**
 * `report` as it comes from the host, unparsed: a host of the previous version sends neither
 * `relocated` nor `aiFailed` (it said both in strings among the duplicates and failures, shown as
 * such), so an absent one reads as empty, as ImportReportSchema's default does.
 */
export function importReportParts(report: ImportReport): ImportReportParts {
  const relocated = (report.relocated as ImportReport['relocated'] | undefined) ?? [];
  const aiFailed = (report.aiFailed as ImportReport['aiFailed'] | undefined) ?? [];
  const listed = new Set((report.ai ?? []).map((r) => r.caseId));
  return {
    relocated,
    duplicates: report.duplicates,
    failedFiles: report.failed,
    aiFailedUnlisted: aiFailed.filter((a) => !listed.has(a.caseId)),
  };
}

/** "Found again after it moved: /new/a_coronal.png (case 3, coronal), was /old/a_coronal.png". */
export function relocatedText(r: Relocated): string {
  return `Found again after it moved: ${r.path} (case ${r.caseId}, ${r.view}), was ${r.previousPath}`;
}

/** "The AI did not run on case 8: out of memory". */
export function aiFailedText(a: ImportReport['aiFailed'][number]): string {
  return `The AI did not run on case ${a.caseId}: ${a.reason}`;
}
