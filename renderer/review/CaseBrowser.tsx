/**
 * Import images and folders, browse every stored case by status, and start a session from a
 * selection. A case whose latest estimate asks to check something first shows ⚠ by its volume (the
 * phrases in its tooltip), as the worklist does: a session is built from this list.
 */
import { useState, type JSX, type ReactNode, type Ref } from 'react';
import type { CaseStatus, CaseSummary, ImportReport } from '../../src/api/store-contract';
import { ImportAiResults } from './ImportAiResults';
import { aiFailedText, importReportParts, relocatedText } from './import-report-parts';
import { STATUS_LABELS } from './worklist-nav';

export interface CaseBrowserProps {
  cases: readonly CaseSummary[];
  lastImport: ImportReport | null;
  busy: boolean;
  /** `frame`: of every multi-frame DICOM imported (null: such files are refused, with the reason). */
  onImport(paths: string[], runAi: boolean, frame: number | null): void;
  onCreateSession(caseIds: string[], title: string): void;
  /** The import's result: given the focus once an import is done (the button is off meanwhile). */
  reportRef?: Ref<HTMLDivElement>;
}

export function CaseBrowser({
  cases,
  lastImport,
  busy,
  onImport,
  onCreateSession,
  reportRef,
}: CaseBrowserProps): JSX.Element {
  const [paths, setPaths] = useState('');
  const [runAi, setRunAi] = useState(true);
  const [frame, setFrame] = useState('');
  const [filter, setFilter] = useState<CaseStatus | 'all'>('all');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [title, setTitle] = useState('');
  const shown = filter === 'all' ? cases : cases.filter((c) => c.status === filter);
  // Only cases still listed count: one no longer among the cases since it was ticked is never sent.
  const selected = selectedStillListed(picked, cases);
  // Ticked under another filter: still in the new session, so said beside its button.
  const hiddenSelected = selected.size - shown.filter((c) => selected.has(c.caseId)).length;
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };

  return (
    <section className="review-section" data-testid="case-browser">
      <h3>Cases</h3>
      <form
        className="review-row"
        onSubmit={(e) => {
          e.preventDefault();
          const list = paths
            .split(/\n|;/)
            .map((p) => p.trim())
            .filter(Boolean);
          if (list.length) onImport(list, runAi, frame.trim() === '' ? null : Number(frame));
        }}
      >
        <input
          className="review-grow"
          placeholder="Files or folders to import (separate with ;)"
          aria-label="Files or folders to import (separate with ;)"
          value={paths}
          onChange={(e) => setPaths(e.target.value)}
          data-testid="import-paths"
        />
        <label title="Segment and estimate every imported case now (else when it is first opened)">
          <input
            type="checkbox"
            checked={runAi}
            onChange={(e) => setRunAi(e.target.checked)}
            data-testid="import-run-ai"
          />{' '}
          run the AI
        </label>
        <label title="The frame (from 0) to take from every multi-frame DICOM imported; without it such files are not imported">
          Frame{' '}
          <input
            type="number"
            min={0}
            step={1}
            className="review-frame"
            placeholder="multi-frame"
            value={frame}
            onChange={(e) => setFrame(e.target.value)}
            data-testid="import-frame"
          />
        </label>
        <button type="submit" disabled={busy || !paths.trim()} data-testid="import-button">
          Import
        </button>
      </form>
      {lastImport && (
        <ImportReportView report={lastImport} reportRef={reportRef}>
          {lastImport.ai && lastImport.ai.length > 0 && <ImportAiResults results={lastImport.ai} />}
          {lastImport.skipped.length > 0 && (
            <details data-testid="import-skipped">
              <summary>{lastImport.skipped.length} file(s) skipped: not ultrasound images</summary>
              <ul>
                {lastImport.skipped.map((f) => (
                  <li key={f.path}>{`${f.path}: ${f.reason}`}</li>
                ))}
              </ul>
            </details>
          )}
        </ImportReportView>
      )}
      <div className="review-row">
        <label>
          Status{' '}
          <select
            value={filter}
            onChange={(e) => setFilter(e.target.value as CaseStatus | 'all')}
            data-testid="case-filter"
          >
            <option value="all">All ({cases.length})</option>
            {(Object.keys(STATUS_LABELS) as CaseStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]} ({cases.filter((c) => c.status === s).length})
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setPicked(new Set(shown.map((c) => c.caseId)))}>
          Select shown
        </button>
        <button type="button" onClick={() => setPicked(new Set())}>
          Clear
        </button>
      </div>
      <div className="review-table-wrap">
        <table className="review-table review-case-table">
          <thead>
            <tr>
              <th>
                {/* Named for screen readers; its checkboxes say "select <case>" each. */}
                <span className="review-visually-hidden">Select</span>
              </th>
              <th>Case</th>
              <th>Patient</th>
              <th>Views</th>
              <th>Status</th>
              <th>Volume</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr
                key={c.caseId}
                data-testid={`case-row-${c.caseId}`}
                className={selected.has(c.caseId) ? 'selected' : undefined}
              >
                <td>
                  <input
                    type="checkbox"
                    checked={selected.has(c.caseId)}
                    onChange={() => toggle(c.caseId)}
                    aria-label={`select ${c.title}`}
                    data-testid={`case-select-${c.caseId}`}
                  />
                </td>
                <td className="review-case-title">{c.title}</td>
                <td className="review-patient-key">{c.patientKey}</td>
                <td className="review-views">
                  {c.views.join(' + ')}
                  {!c.calibrated && <span className="review-warn"> uncalibrated</span>}
                </td>
                <td>
                  <span className={`review-status status-${c.status}`}>
                    {STATUS_LABELS[c.status]}
                  </span>
                </td>
                <td className="review-volume">
                  {c.volumeMl === null ? '—' : `${c.volumeMl.toFixed(0)} mL`}
                  {c.checkFirst.length > 0 && (
                    <>
                      {' '}
                      <span
                        className="review-warn"
                        title={checkFirstTitle(c.checkFirst)}
                        aria-label={checkFirstTitle(c.checkFirst)}
                        role="img"
                        data-testid={`browser-check-first-${c.caseId}`}
                      >
                        ⚠
                      </span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* Always there, so that a screen reader hears it appear when a filter hides ticked cases. */}
      <div className="review-row" data-testid="selected-hidden-row">
        <span className="review-warn" role="status" data-testid="selected-hidden">
          {hiddenSelected === 0
            ? ''
            : hiddenSelected === 1
              ? '1 selected case is not shown by this status filter; it will be in the new session.'
              : `${hiddenSelected} selected cases are not shown by this status filter; they will be in the new session.`}
        </span>
        {hiddenSelected > 0 && (
          <>
            <button
              type="button"
              onClick={() => setFilter('all')}
              data-testid="selected-hidden-show"
            >
              Show all
            </button>
            <button
              type="button"
              onClick={() =>
                setPicked(new Set(shown.filter((c) => selected.has(c.caseId)).map((c) => c.caseId)))
              }
              data-testid="selected-hidden-drop"
            >
              Unselect those
            </button>
          </>
        )}
      </div>
      <div className="review-row">
        <input
          className="review-grow"
          placeholder="Session title (optional)"
          aria-label="Session title (optional)"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          data-testid="session-title"
        />
        <button
          type="button"
          disabled={busy || selected.size === 0}
          onClick={() => onCreateSession([...selected], title)}
          data-testid="create-session"
        >
          New session ({selected.size})
        </button>
      </div>
    </section>
  );
}

/** The tooltip of a case's ⚠: what its latest estimate asks to check, as the worklist says it. */
function checkFirstTitle(phrases: readonly string[]): string {
  return `Check first: ${phrases.join('; ')}. The volume and its verdicts rest on ${phrases.length === 1 ? 'it' : 'them'}.`;
}

/** A report line as the reader reads it: the path first, once (some reasons start with it). */
const lineText = (f: { path: string; reason: string }): string =>
  f.reason.startsWith(f.path) ? f.reason : `${f.path}: ${f.reason}`;

/**
 * The import's result: what was imported, the files found again after they moved (said at once: the
 * case they belong to now reads them from here, and nothing else was imported), the copies left
 * out and the files not imported (each listed, folded), any case the AI could not run on that its
 * results do not list, then `children` (the AI's results, the files skipped).
 */
function ImportReportView({
  report,
  reportRef,
  children,
}: {
  report: ImportReport;
  reportRef?: Ref<HTMLDivElement>;
  children?: ReactNode;
}): JSX.Element {
  const { relocated, duplicates, failedFiles, aiFailedUnlisted } = importReportParts(report);
  return (
    <div ref={reportRef} className="review-import-report" tabIndex={-1} data-testid="import-report">
      Imported {report.imported.length} image(s) into {report.caseIds.length} case(s)
      {relocated.length > 0 && (
        <ul className="review-import-moved" data-testid="import-moved">
          {relocated.map((r) => (
            <li key={r.path}>{relocatedText(r)}</li>
          ))}
        </ul>
      )}
      {duplicates.length > 0 && (
        <details data-testid="import-duplicates">
          <summary>{duplicates.length} duplicate(s) skipped: already imported</summary>
          <ul>
            {duplicates.map((d) => (
              <li key={d.path}>{lineText(d)}</li>
            ))}
          </ul>
        </details>
      )}
      {failedFiles.length > 0 && (
        <details data-testid="import-failed">
          <summary>{failedFiles.length} file(s) not imported</summary>
          <ul>
            {failedFiles.map((f) => (
              <li key={f.path}>{lineText(f)}</li>
            ))}
          </ul>
        </details>
      )}
      {aiFailedUnlisted.length > 0 && (
        <ul className="review-import-ai-failed" data-testid="import-ai-failed">
          {aiFailedUnlisted.map((a) => (
            <li key={a.caseId}>{aiFailedText(a)}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}

/** The ticked cases that are still listed, in a set of their own only when some are not. */
function selectedStillListed(
  picked: ReadonlySet<string>,
  cases: readonly CaseSummary[],
): ReadonlySet<string> {
  const listed = new Set(cases.map((c) => c.caseId));
  return [...picked].every((id) => listed.has(id))
    ? picked
    : new Set([...picked].filter((id) => listed.has(id)));
}
