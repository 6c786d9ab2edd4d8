/**
 * The session's worklist: status filter, counts, the selected case, and the case in the viewer
 * (marked, since the selection can move away from it); ↓/↑ (or j/k) move, Enter opens. The selected
 * case is said in a polite live region ("Case 3 of 12: title, status") as it changes, since a move
 * changes only the row's highlight: a screen reader would say nothing. The list keeps the focus
 * and brings the selected row into sight.
 */
import { INPUTS_NOT_CHECKED } from '../../src/clinical/check-first';
import { useEffect, useId, useRef, type JSX, type KeyboardEvent, type Ref } from 'react';
import type { CaseSummary, WorklistEntry } from '../../src/api/store-contract';
import { countByStatus, formatDuration, STATUS_LABELS, type StatusFilter } from './worklist-nav';

export interface WorklistProps {
  entries: readonly WorklistEntry[];
  visible: readonly WorklistEntry[];
  filter: StatusFilter;
  selectedCaseId: string | null;
  /** The stored case the viewer shows, or null (a sample, files, nothing). */
  viewerCaseId: string | null;
  onFilter(filter: StatusFilter): void;
  onSelect(caseId: string): void;
  onStep(step: 1 | -1): void;
  onOpen(caseId: string): void;
  /** The list's element (it takes the keys): given the focus when a session is created. */
  listRef?: Ref<HTMLDivElement>;
}

/**
 * What the live region says of the selected case among the cases shown: its place, title and status
 * (empty when none is selected or the filter hides it).
 */
export function selectionAnnouncement(
  visible: readonly WorklistEntry[],
  selectedCaseId: string | null,
): string {
  const index = visible.findIndex((e) => e.case.caseId === selectedCaseId);
  if (index < 0) return '';
  const c = visible[index].case;
  return `Case ${index + 1} of ${visible.length}: ${c.title}, ${STATUS_LABELS[c.status]}`;
}

export function Worklist({
  entries,
  visible,
  filter,
  selectedCaseId,
  viewerCaseId,
  onFilter,
  onSelect,
  onStep,
  onOpen,
  listRef,
}: WorklistProps): JSX.Element {
  const counts = countByStatus(entries);
  const announcementId = useId();
  const body = useRef<HTMLTableSectionElement>(null);
  // A move from the keyboard can go past the rows in sight (the side panel scrolls): the selected
  // row is brought into sight while the list has the focus, not when the selection moves from
  // elsewhere (a click, Alt+↓ in the viewer), which must not scroll the panel under the reader.
  useEffect(() => {
    const list = body.current?.closest('.review-worklist');
    if (!list?.contains(document.activeElement)) return;
    // Some DOMs (the unit tests') have no scrollIntoView.
    body.current?.querySelector('tr[aria-selected=true]')?.scrollIntoView?.({ block: 'nearest' });
  }, [selectedCaseId]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (
      e.target instanceof HTMLInputElement ||
      e.target instanceof HTMLTextAreaElement ||
      e.target instanceof HTMLSelectElement
    )
      return;
    if (e.key === 'ArrowDown' || e.key === 'j') onStep(1);
    else if (e.key === 'ArrowUp' || e.key === 'k') onStep(-1);
    else if (e.key === 'Enter' && selectedCaseId) onOpen(selectedCaseId);
    else return;
    e.preventDefault();
  };
  return (
    <div
      ref={listRef}
      className="review-worklist"
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="worklist"
      // A group, so that its name (how to move in it) is said when it takes the focus: a name on
      // a <div> without a role is left out by screen readers (axe's aria-prohibited-attr).
      role="group"
      aria-label="Worklist: arrow keys or j/k move, Enter opens"
      // Focusing the list says the selected case too, as a move does.
      aria-describedby={announcementId}
    >
      <div
        id={announcementId}
        className="review-visually-hidden"
        role="status"
        aria-live="polite"
        aria-atomic="true"
        data-testid="worklist-announcement"
      >
        {selectionAnnouncement(visible, selectedCaseId)}
      </div>
      <div className="review-row review-filters" role="group" aria-label="Status filter">
        {(['open', 'all', ...Object.keys(STATUS_LABELS)] as StatusFilter[]).map((f) => (
          <button
            key={f}
            type="button"
            className={filter === f ? 'active' : undefined}
            aria-pressed={filter === f}
            onClick={() => onFilter(f)}
            data-testid={`worklist-filter-${f}`}
          >
            {f === 'open' ? 'To do' : f === 'all' ? 'All' : STATUS_LABELS[f]}{' '}
            {f === 'open'
              ? entries.length - counts['signed-off']
              : f === 'all'
                ? entries.length
                : counts[f]}
          </button>
        ))}
      </div>
      <table className="review-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Case</th>
            <th>Status</th>
            <th>Volume (95% interval)</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody ref={body}>
          {visible.map((e) => {
            const c = e.case;
            return (
              <tr
                key={c.caseId}
                className={c.caseId === selectedCaseId ? 'selected' : undefined}
                onClick={() => onSelect(c.caseId)}
                onDoubleClick={() => onOpen(c.caseId)}
                data-testid={`worklist-row-${c.caseId}`}
                data-status={c.status}
                aria-selected={c.caseId === selectedCaseId}
                aria-current={c.caseId === viewerCaseId ? 'true' : undefined}
              >
                <td>{e.position + 1}</td>
                <td title={c.patientKey}>
                  {c.title}
                  {c.caseId === viewerCaseId && (
                    <>
                      {' '}
                      <span className="review-in-viewer" data-testid="worklist-in-viewer">
                        in viewer
                      </span>
                    </>
                  )}
                </td>
                <td>
                  <span className={`review-status status-${c.status}`}>
                    {STATUS_LABELS[c.status]}
                  </span>
                  {c.version > 1 && <span className="review-muted"> v{c.version}</span>}
                </td>
                <td>
                  {c.volumeMl === null
                    ? '—'
                    : `${c.volumeMl.toFixed(0)} mL (${c.ci95Ml![0].toFixed(0)}–${c.ci95Ml![1].toFixed(0)})`}
                  {c.checkFirst.length === 0 ? null : confirmedAtSignOff(c) ? (
                    // Signed off since this version asked: the store took the sign-off only with
                    // every item confirmed, so the list shows it done, not still open.
                    <div
                      className="review-muted"
                      data-testid={`worklist-checked-${c.caseId}`}
                      title={`Confirmed at sign-off: ${c.checkFirst.join('; ')}.`}
                    >
                      ✓ checked at sign-off
                    </div>
                  ) : (
                    // A volume resting on swapped views or a wrong scale must not read as settled
                    // in the list the reader signs off from: said under the number, short.
                    <div
                      className="review-check-first"
                      data-testid={`worklist-check-first-${c.caseId}`}
                      title={`Check first: ${c.checkFirst.join('; ')}. The volume and its verdicts rest on ${c.checkFirst.length === 1 ? 'it' : 'them'}.`}
                    >
                      ⚠ {c.checkFirst.join('; ')}
                    </div>
                  )}
                </td>
                <td>{formatDuration(e.timeSpentMs)}</td>
              </tr>
            );
          })}
          {visible.length === 0 && (
            <tr>
              <td colSpan={5} className="review-muted">
                No case with this status.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A signed-off case whose estimate's items the sign-off confirmed: the store refuses a sign-off
 * without them, except for an estimate made before the checks existed (never confirmed).
 */
function confirmedAtSignOff(c: CaseSummary): boolean {
  return c.status === 'signed-off' && !c.checkFirst.includes(INPUTS_NOT_CHECKED);
}
