/**
 * What a reader does with the selected case: open it in the viewer (corrections are saved as
 * they are drawn), accept the AI's mask, flag it with a comment, sign off, unlock with a reason,
 * and export its report (PDF, DICOM Encapsulated PDF or Comprehensive SR, optionally anonymised).
 * Accepting and signing off act on what the reader reviewed, so only on the case in the viewer;
 * every recorded action waits for the reader's name. What the case's latest estimate asks to check
 * first is said beside the buttons, and signing off such a case (or one whose volume is single-view
 * for want of a transverse calibration) goes through a step naming each item (SignOffVerdictChecks).
 * A two-view case imported with its views named the wrong way round is put right with Swap views
 * (asked again before it is done: it makes a new volume and drops the reader's calipers).
 */
import { VIEWS_LOOK_SWAPPED } from '../../src/clinical/check-first';
import { useEffect, useId, useRef, useState, type JSX } from 'react';
import type { CaseSummary, ExportedFile, ReportFormat } from '../../src/api/store-contract';
import { localDateTime } from '../components/format';
import { ExportLinks } from './ExportLinks';
import { useFocusOnOpen } from './focus-on-open';
import { SignOffVerdictChecks } from './SignOffVerdictChecks';
import { STATUS_LABELS } from './worklist-nav';

/** Why Accept and Sign off are off for a selected case that is not the one in the viewer. */
export const OPEN_IN_VIEWER_FIRST = 'Open this case in the viewer to review it first';
/**
 * Why a case has no volume, and what gives it one: Sign off and Export need a volume, and a button
 * merely turned off would leave the reader guessing. Null when the case has a volume.
 */
export function whyNoVolume(c: CaseSummary): string | null {
  if (c.volumeMl !== null) return null;
  if (!c.views.includes('coronal'))
    return 'No volume: the case has no coronal image. Import its …_coronal image (or a DICOM of its study), then open it in the viewer';
  if (!c.calibrated)
    return 'No volume yet: the image has no calibration (no pixel size). Open it in the viewer and draw a known distance on the depth ruler';
  if (c.status === 'new')
    return 'No volume yet: the AI has not outlined it. Open it in the viewer: the AI runs then';
  return 'No volume: its outline gives none. Open it in the viewer and correct the outline';
}

/** Why the recorded actions are off before the reader has typed a name. */
export const NAME_THE_READER_FIRST =
  'Type your name as the reader first: every change is recorded under it';

export interface CaseActionsProps {
  summary: CaseSummary;
  busy: boolean;
  exported: readonly ExportedFile[];
  /** Whether this case is the one the viewer shows (what the reader reviewed). */
  inViewer: boolean;
  /** Whether the reader has typed a name yet: every change is recorded under it. */
  readerNamed: boolean;
  onOpen(): void;
  onAccept(): void;
  /** Resolves to whether the case was flagged: the comment is kept for another try if not. */
  onFlag(comment: string): Promise<boolean>;
  /**
   * Signs off; `checked` holds the checkFirst phrases the reader confirmed having checked (empty
   * when the estimate asked nothing). May resolve once done: the focus then goes back to Sign off.
   */
  onSignOff(checked: string[]): Promise<void> | void;
  /**
   * Swaps the coronal and transverse images of the case in the viewer (StoreApi.swapViews). May
   * resolve once done: the focus then goes back to the swap button.
   */
  onSwapViews(): Promise<void> | void;
  /** Resolves to whether the case was unlocked: the reason is kept for another try if not. */
  onUnlock(reason: string): Promise<boolean>;
  onExport(format: ReportFormat, anonymise: boolean): void;
}

/** The buttons that open a step, which take the focus back when it closes. */
type Opener = 'sign-off' | 'swap';

export function CaseActions(props: CaseActionsProps): JSX.Element {
  const { summary: c, busy, inViewer, readerNamed } = props;
  const section = useRef<HTMLElement>(null);
  const openers = {
    'sign-off': useRef<HTMLButtonElement>(null),
    swap: useRef<HTMLButtonElement>(null),
  };
  // The button to focus again once a step closed and the panel is idle: each is off while its
  // step is open or the panel is busy, and a focused button turned off drops the focus to the page.
  const [refocus, setRefocus] = useState<Opener | null>(null);
  /** Gives the focus back to `opener` once `action` (if any) is done. */
  const refocusAfter = (opener: Opener, action: Promise<void> | void) => {
    if (action) void action.finally(() => setRefocus(opener));
    else setRefocus(opener);
  };
  useEffect(() => {
    if (!refocus || busy) return;
    setRefocus(null);
    // The reader went on elsewhere meanwhile (the viewer, another field): the focus stays there.
    const active = document.activeElement;
    if (active && active !== document.body && !section.current?.contains(active)) return;
    const opener = openers[refocus].current;
    // Off for good (signed off, say): the case's actions keep the focus, not the page.
    (opener && !opener.disabled ? opener : section.current)?.focus();
  }, [refocus, busy]);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const [anonymise, setAnonymise] = useState(false);
  const locked = c.status === 'signed-off';
  const toCheck = c.checkFirst;
  // A transverse image without a calibration: the volume on record is the coronal view's alone.
  const singleView = c.views.includes('transverse') && !c.calibrated && c.volumeMl !== null;
  // The sign-off step, open for this case's estimate only: another case, or a new estimate (new
  // things to check), closes it and clears its ticks.
  const checksKey = `${c.caseId}:${c.estimateId ?? ''}:${toCheck.join('|')}`;
  const [checksFor, setChecksFor] = useState<string | null>(null);
  const [askSwap, setAskSwap] = useState<string | null>(null);
  const twoViews = c.views.includes('coronal') && c.views.includes('transverse');
  const lookSwapped = toCheck.includes(VIEWS_LOOK_SWAPPED);
  const signOff = () => {
    if (toCheck.length > 0 || singleView) setChecksFor(checksKey);
    else refocusAfter('sign-off', props.onSignOff([]));
  };
  // Why Accept and Sign off are off (besides busy, locked, no volume): said on the buttons and below.
  const reviewBlock = !readerNamed
    ? NAME_THE_READER_FIRST
    : !inViewer
      ? OPEN_IN_VIEWER_FIRST
      : null;
  const hint = !readerNamed
    ? NAME_THE_READER_FIRST
    : !locked && !inViewer
      ? OPEN_IN_VIEWER_FIRST
      : null;
  // Said whether or not the case is in the viewer: it is what Sign off and Export wait for.
  const noVolume = whyNoVolume(c);
  return (
    <section ref={section} className="review-section" tabIndex={-1} data-testid="case-actions">
      <h3>
        {c.title}{' '}
        <span className={`review-status status-${c.status}`}>{STATUS_LABELS[c.status]}</span>
        {inViewer && (
          <>
            {' '}
            <span className="review-in-viewer" data-testid="case-actions-in-viewer">
              in viewer
            </span>
          </>
        )}
      </h3>
      <p className="review-muted">
        Patient {c.patientKey}
        {c.studyDate && ` · study ${c.studyDate}`} · version {c.version}
        {c.signedOffBy && (
          <>
            {' '}
            · signed off by {c.signedOffBy}
            {c.signedOffAt && (
              <>
                {' '}
                at{' '}
                <time dateTime={c.signedOffAt} title={c.signedOffAt} data-testid="signed-off-at">
                  {localDateTime(c.signedOffAt)}
                </time>
              </>
            )}
          </>
        )}
        {c.flagComment && c.status === 'flagged' && ` · flagged: ${c.flagComment}`}
      </p>
      {toCheck.length > 0 && (
        // Beside Accept and Sign off, where the reader decides: the viewer's own caveat may be
        // scrolled out of sight.
        <p className="review-check-list review-warn" role="note" data-testid="case-check-first">
          {locked ? (
            // Signed off, the reader was asked to confirm each (the audit log says what was).
            <>
              ⚠ Its estimate asked to check first: {toCheck.join('; ')}. What the sign-off confirmed
              is in the audit log.
            </>
          ) : (
            <>
              ⚠ Check first: {toCheck.join('; ')}. The volume and its verdicts rest on{' '}
              {toCheck.length === 1 ? 'it' : 'them'}: unverified until checked.
            </>
          )}
        </p>
      )}
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
          disabled={busy || locked || reviewBlock !== null}
          title={reviewBlock ?? undefined}
          data-testid="action-accept"
        >
          Accept AI mask
        </button>
        <button
          ref={openers['sign-off']}
          type="button"
          onClick={signOff}
          disabled={
            busy || locked || c.volumeMl === null || reviewBlock !== null || checksFor === checksKey
          }
          title={reviewBlock ?? noVolume ?? undefined}
          data-testid="action-sign-off"
        >
          Sign off
        </button>
        {twoViews && (
          <button
            ref={openers.swap}
            type="button"
            className={lookSwapped ? 'review-warn' : undefined}
            onClick={() => setAskSwap(c.caseId)}
            disabled={busy || locked || reviewBlock !== null || askSwap === c.caseId}
            title={
              locked
                ? 'Signed off: unlock it with a reason to swap its views.'
                : (reviewBlock ?? undefined)
            }
            data-testid="action-swap-views"
          >
            {lookSwapped ? '⚠ ' : ''}Swap coronal ⇄ transverse
          </button>
        )}
      </div>
      {askSwap === c.caseId && !locked && reviewBlock === null && (
        <SwapViewsConfirm
          busy={busy}
          onConfirm={() => {
            setAskSwap(null);
            refocusAfter('swap', props.onSwapViews());
          }}
          onCancel={() => {
            setAskSwap(null);
            setRefocus('swap');
          }}
        />
      )}
      {checksFor === checksKey && !locked && reviewBlock === null && (
        <SignOffVerdictChecks
          key={checksKey}
          toCheck={toCheck}
          singleView={singleView}
          busy={busy}
          onConfirm={(checked) => {
            setChecksFor(null);
            refocusAfter('sign-off', props.onSignOff(checked));
          }}
          onCancel={() => {
            setChecksFor(null);
            setRefocus('sign-off');
          }}
        />
      )}
      {hint && (
        <p className="review-hint" data-testid="case-actions-hint">
          {hint}.
        </p>
      )}
      {noVolume && !locked && (
        <p className="review-hint" data-testid="case-actions-no-volume">
          {noVolume}. Sign off and Export need a volume.
        </p>
      )}
      {!locked && (
        <TextActionForm
          placeholder="Why flag this case?"
          value={comment}
          onChange={setComment}
          minLength={1}
          busy={busy}
          blockedBy={readerNamed ? null : NAME_THE_READER_FIRST}
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
          blockedBy={readerNamed ? null : NAME_THE_READER_FIRST}
          label="Unlock"
          inputTestId="unlock-reason"
          buttonTestId="action-unlock"
          onSubmit={async (text) => {
            const unlocked = await props.onUnlock(text);
            // The Unlock form goes with the lock, and the focus with it to the page: Sign off (or
            // the case's actions, while it is off) takes it, as after a sign-off.
            if (unlocked) setRefocus('sign-off');
            return unlocked;
          }}
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
          title={noVolume ?? undefined}
          data-testid="action-export"
        >
          Export
        </button>
      </div>
      <ExportLinks files={props.exported} testId="case-exports" />
    </section>
  );
}

/** What the swap confirmation says happens, before the reader swaps the views. */
export const SWAP_VIEWS_EXPLAINED =
  'The image now labelled coronal becomes the transverse one and the other way round, each with its outline and calibration. A new volume is computed; caliper lines you drew are removed (they were drawn for the other view). The undo history of this case is cleared; swap again to swap back.';

/** The question before Swap coronal ⇄ transverse is done: Escape or Cancel leaves it. */
function SwapViewsConfirm(props: {
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
}): JSX.Element {
  const headingId = useId();
  // Opened from the swap button, which is off while this is open: "Swap the views" takes the focus.
  const dialog = useFocusOnOpen<HTMLDivElement>('[data-testid="swap-views-confirm-button"]');
  return (
    <div
      ref={dialog}
      className="review-check-list"
      role="dialog"
      aria-labelledby={headingId}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        props.onCancel();
      }}
      data-testid="swap-views-confirm"
    >
      <strong id={headingId}>Swap the views of this case?</strong>
      <p>{SWAP_VIEWS_EXPLAINED}</p>
      <div className="review-row">
        <button
          type="button"
          disabled={props.busy}
          onClick={props.onConfirm}
          data-testid="swap-views-confirm-button"
        >
          Swap the views
        </button>
        <button type="button" onClick={props.onCancel} data-testid="swap-views-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}

interface TextActionFormProps {
  placeholder: string;
  value: string;
  onChange(value: string): void;
  /** Characters (after trimming) the text needs before the action can be sent. */
  minLength: number;
  busy: boolean;
  /** Why the action cannot be sent now (no reader named), or null. */
  blockedBy: string | null;
  label: string;
  inputTestId: string;
  buttonTestId: string;
  /** Resolves to whether the action succeeded. */
  onSubmit(text: string): Promise<boolean>;
}

/** One line of text and the action it goes with (flag with a comment, unlock with a reason); the
 * text lives in the parent so a draft survives the form being hidden while the case is locked. It
 * is cleared only once the action succeeded: a refused one keeps it for another try. */
function TextActionForm(props: TextActionFormProps): JSX.Element {
  const { onSubmit, onChange, value } = props;
  const typed = value.trim().length;
  const blocked = props.busy || props.blockedBy !== null || typed < props.minLength;
  // Typed but too short (an unlock reason of 2 characters): the button is off, and says why.
  const tooShort =
    typed > 0 && typed < props.minLength
      ? `${props.label}: type ${props.minLength} characters or more`
      : null;
  return (
    <>
      <form
        className="review-row"
        onSubmit={(e) => {
          e.preventDefault();
          // Enter in the box submits even while the button is off.
          if (blocked) return;
          void onSubmit(value).then((done) => {
            if (done) onChange('');
          });
        }}
      >
        <input
          className="review-grow"
          placeholder={props.placeholder}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          // The placeholder goes once the reader types: the name stays.
          aria-label={props.placeholder}
          data-testid={props.inputTestId}
        />
        <button
          type="submit"
          disabled={blocked}
          title={props.blockedBy ?? tooShort ?? undefined}
          data-testid={props.buttonTestId}
        >
          {props.label}
        </button>
      </form>
      {tooShort && props.blockedBy === null && (
        <p className="review-hint" data-testid={`${props.inputTestId}-too-short`}>
          {tooShort}.
        </p>
      )}
    </>
  );
}
