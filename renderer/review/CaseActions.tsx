/**
 * What a reader does with the selected case: open it in the viewer (corrections are saved as
 * they are drawn), accept the AI's mask, flag it with a comment, sign off, unlock with a reason,
 * and export its report (PDF, DICOM Encapsulated PDF or Comprehensive SR, optionally anonymised).
 */
import { useState, type JSX } from 'react';
import type { CaseSummary, ExportedFile, ReportFormat } from '../../src/api/store-contract';
import { ExportLinks } from './ExportLinks';
import { STATUS_LABELS } from './worklist-nav';

export interface CaseActionsProps {
  summary: CaseSummary;
  busy: boolean;
  exported: readonly ExportedFile[];
  onOpen(): void;
  onAccept(): void;
  onFlag(comment: string): void;
  onSignOff(): void;
  onUnlock(reason: string): void;
  onExport(format: ReportFormat, anonymise: boolean): void;
}

export function CaseActions(props: CaseActionsProps): JSX.Element {
  const { summary: c, busy } = props;
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const [anonymise, setAnonymise] = useState(false);
  const locked = c.status === 'signed-off';
  return (
    <section className="review-section" data-testid="case-actions">
      <h3>
        {c.title}{' '}
        <span className={`review-status status-${c.status}`}>{STATUS_LABELS[c.status]}</span>
      </h3>
      <p className="review-muted">
        Patient {c.patientKey}
        {c.studyDate && ` · study ${c.studyDate}`} · version {c.version}
        {c.signedOffBy && ` · signed off by ${c.signedOffBy} at ${c.signedOffAt}`}
        {c.flagComment && c.status === 'flagged' && ` · flagged: ${c.flagComment}`}
      </p>
      <div className="review-row">
        <button
          type="button"
          onClick={props.onOpen}
          disabled={busy}
          data-testid="action-open"
          title="Open in the viewer (Enter)"
        >
          Open in viewer
        </button>
        <button
          type="button"
          onClick={props.onAccept}
          disabled={busy || locked}
          data-testid="action-accept"
        >
          Accept AI mask
        </button>
        <button
          type="button"
          onClick={props.onSignOff}
          disabled={busy || locked || c.volumeMl === null}
          data-testid="action-sign-off"
        >
          Sign off
        </button>
      </div>
      {!locked && (
        <TextActionForm
          placeholder="Why flag this case?"
          value={comment}
          onChange={setComment}
          minLength={1}
          busy={busy}
          label="Flag"
          inputTestId="flag-comment"
          buttonTestId="action-flag"
          onSubmit={props.onFlag}
        />
      )}
      {locked && (
        <TextActionForm
          placeholder="Reason for the change (recorded in the audit log)"
          value={reason}
          onChange={setReason}
          minLength={3}
          busy={busy}
          label="Unlock"
          inputTestId="unlock-reason"
          buttonTestId="action-unlock"
          onSubmit={props.onUnlock}
        />
      )}
      <div className="review-row" data-testid="export-dialog">
        <label>
          Report{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as ReportFormat)}
            data-testid="export-format"
          >
            <option value="pdf">PDF</option>
            <option value="dicom-pdf">DICOM Encapsulated PDF</option>
            <option value="dicom-sr">DICOM Structured Report</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={anonymise}
            onChange={(e) => setAnonymise(e.target.checked)}
            data-testid="export-anonymise"
          />{' '}
          anonymised
        </label>
        <button
          type="button"
          onClick={() => props.onExport(format, anonymise)}
          disabled={busy || c.volumeMl === null}
          data-testid="action-export"
        >
          Export
        </button>
      </div>
      <ExportLinks files={props.exported} testId="case-exports" />
    </section>
  );
}

interface TextActionFormProps {
  placeholder: string;
  value: string;
  onChange(value: string): void;
  /** Characters (after trimming) the text needs before the action can be sent. */
  minLength: number;
  busy: boolean;
  label: string;
  inputTestId: string;
  buttonTestId: string;
  onSubmit(text: string): void;
}

/** One line of text and the action it goes with (flag with a comment, unlock with a reason); the
 * text lives in the parent so a draft survives the form being hidden while the case is locked. */
function TextActionForm(props: TextActionFormProps): JSX.Element {
  return (
    <form
      className="review-row"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(props.value);
        props.onChange('');
      }}
    >
      <input
        className="review-grow"
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.inputTestId}
      />
      <button
        type="submit"
        disabled={props.busy || props.value.trim().length < props.minLength}
        data-testid={props.buttonTestId}
      >
        {props.label}
      </button>
    </form>
  );
}
