/** The session summary: a table of cases, Dice and time, Bland–Altman plots, and its export. */
import { useState, type JSX } from 'react';
import type { ExportedFile, SessionSummary } from '../../src/api/store-contract';
import { ExportLinks } from './ExportLinks';
import { formatDuration, STATUS_LABELS } from './worklist-nav';

const ml = (v: number | null) => (v === null ? '—' : v.toFixed(0));
const pct = (v: number | null) => (v === null ? '—' : v.toFixed(3));
const titleOf = (summary: SessionSummary, caseId: string) =>
  summary.rows.find((r) => r.caseId === caseId)?.title ?? `case ${caseId}`;

export function SessionSummaryView({
  summary,
  exported,
  busy,
  onExport,
}: {
  summary: SessionSummary;
  exported: readonly ExportedFile[];
  busy: boolean;
  /** `anonymise`: no patient ids, titles or comments, and anonymised reports. */
  onExport(anonymise: boolean): void;
}): JSX.Element {
  const [anonymise, setAnonymise] = useState(false);
  return (
    <section className="review-section" data-testid="session-summary">
      <h3>Session summary</h3>
      <p>
        {summary.rows.length} case(s) · mean time per case{' '}
        {formatDuration(summary.meanTimePerCaseMs)} · mean Dice (AI vs final){' '}
        <span data-testid="summary-dice">{pct(summary.meanDice)}</span>
      </p>
      {summary.notReviewed.length > 0 && (
        <p data-testid="summary-not-reviewed">
          Statistics cover the {summary.rows.length - summary.notReviewed.length} reviewed case(s);{' '}
          {summary.notReviewed.length} left out, with the reason:{' '}
          {summary.notReviewed.map((c) => `${titleOf(summary, c.caseId)} (${c.reason})`).join('; ')}
          .
        </p>
      )}
      <div className="review-table-wrap">
        <table className="review-table">
          <thead>
            <tr>
              <th>Case</th>
              <th>Status</th>
              <th>AI mL</th>
              <th>Final mL</th>
              <th>Dice cor.</th>
              <th>Dice tr.</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {summary.rows.map((r) => (
              <tr key={r.caseId} data-testid={`summary-row-${r.caseId}`}>
                <td>{r.title}</td>
                <td>{STATUS_LABELS[r.status]}</td>
                <td>{ml(r.aiVolumeMl)}</td>
                <td>{ml(r.finalVolumeMl)}</td>
                <td>{pct(r.diceCoronal)}</td>
                <td>{pct(r.diceTransverse)}</td>
                <td>{formatDuration(r.timeSpentMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <table className="review-table">
        <thead>
          <tr>
            <th>Bland–Altman</th>
            <th>n</th>
            <th>bias (mL)</th>
            <th>95% limits of agreement (mL)</th>
          </tr>
        </thead>
        <tbody>
          {summary.blandAltman.map((b) => (
            <tr key={b.name}>
              <td>{b.name}</td>
              <td>{b.n}</td>
              <td>{b.meanDifferenceMl === null ? '—' : b.meanDifferenceMl.toFixed(1)}</td>
              <td>
                {b.limitsOfAgreementMl
                  ? `${b.limitsOfAgreementMl[0].toFixed(1)} to ${b.limitsOfAgreementMl[1].toFixed(1)}`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="review-plots">
        {summary.plots.map((p) => (
          <img
            key={p.name}
            src={p.pngDataUrl}
            alt={`Bland–Altman plot: ${p.name}`}
            data-testid="summary-plot"
          />
        ))}
      </div>
      <div className="review-row">
        <button
          type="button"
          onClick={() => onExport(anonymise)}
          disabled={busy}
          data-testid="export-session"
        >
          Export summary (CSV, plots, reports)
        </button>
        <label>
          <input
            type="checkbox"
            checked={anonymise}
            onChange={(e) => setAnonymise(e.target.checked)}
            data-testid="export-session-anonymise"
          />{' '}
          anonymised
        </label>
      </div>
      <ExportLinks files={exported} testId="session-exports" />
    </section>
  );
}
