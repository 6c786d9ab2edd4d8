/**
 * The step between Sign off and the sign-off itself, for a case whose volume is not settled: its
 * estimate asks the reader to check something first (views that look swapped, an implausible
 * scale, an uncertain AI outline: CaseSummary.checkFirst), or its transverse view has no
 * calibration, so the volume is the coronal view's alone. A swapped case signed off as "normal"
 * was the risk: each item to check is named and ticked by the reader (no bare "OK?"), and the
 * ticked ones go with the sign-off, which the audit records.
 */
import { useId, useState, type JSX } from 'react';
import { checkFirstStep } from './check-first-steps';
import { useFocusOnOpen } from './focus-on-open';

export interface SignOffVerdictChecksProps {
  /** The checkFirst phrases of the case's latest estimate, each to be ticked. */
  toCheck: readonly string[];
  /** The transverse view is there but uncalibrated: the volume is single-view. */
  singleView: boolean;
  busy: boolean;
  /** Signs off, with the phrases the reader ticked (all of `toCheck`). */
  onConfirm(checked: string[]): void;
  /** Closes the step without signing off (Cancel, or Escape inside it). */
  onCancel(): void;
}

/** What signing off a case with an uncalibrated transverse view means, said before it is done. */
export const SINGLE_VIEW_SIGN_OFF =
  'Single-view volume: the transverse view has no calibration, so this volume comes from the coronal view alone (a wider interval). Once signed off, the transverse view cannot be calibrated until the case is unlocked: to use both views, cancel and calibrate it first.';

export function SignOffVerdictChecks({
  toCheck,
  singleView,
  busy,
  onConfirm,
  onCancel,
}: SignOffVerdictChecksProps): JSX.Element {
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const headingId = useId();
  // Opened from Sign off, which is off while the step is open: the first box takes the focus (the
  // step alone when there is none), so that it does not drop to the page, and the step is scrolled
  // into sight (at 1366×768 it opens below the fold).
  const stepRef = useFocusOnOpen<HTMLDivElement>('input[type="checkbox"]');
  const unticked = toCheck.filter((phrase) => !ticked.has(phrase));
  const toggle = (phrase: string, on: boolean) =>
    setTicked((before) => {
      const next = new Set(before);
      if (on) next.add(phrase);
      else next.delete(phrase);
      return next;
    });
  return (
    <div
      ref={stepRef}
      className="review-check-list"
      role="group"
      aria-labelledby={headingId}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        onCancel();
      }}
      data-testid="sign-off-checks"
    >
      <strong id={headingId}>Before signing off</strong>
      {toCheck.length > 0 && (
        <>
          <p className="review-warn">
            The estimate asks you to check first; its volume and verdicts are unverified until you
            have. Tick each once you have checked it on the images:
          </p>
          {toCheck.map((phrase, i) => {
            const step = checkFirstStep(phrase);
            const remedyId = `${headingId}-remedy-${i}`;
            return (
              <div key={phrase} className="review-check-item">
                <label>
                  <input
                    type="checkbox"
                    checked={ticked.has(phrase)}
                    onChange={(e) => toggle(phrase, e.target.checked)}
                    aria-describedby={step.remedy ? remedyId : undefined}
                    data-testid={`sign-off-check-${i}`}
                  />{' '}
                  {step.confirm}
                </label>
                {step.remedy && (
                  <p
                    id={remedyId}
                    className="review-check-remedy"
                    data-testid={`sign-off-remedy-${i}`}
                  >
                    {step.remedy}
                  </p>
                )}
              </div>
            );
          })}
        </>
      )}
      {singleView && (
        <p className="review-warn" data-testid="sign-off-single-view">
          {SINGLE_VIEW_SIGN_OFF}
        </p>
      )}
      <div className="review-row">
        <button
          type="button"
          disabled={busy || unticked.length > 0}
          title={
            unticked.length > 0 ? `Tick what you have checked first: ${unticked.join('; ')}` : ''
          }
          onClick={() => onConfirm(toCheck.filter((phrase) => ticked.has(phrase)))}
          data-testid="sign-off-confirm"
        >
          {toCheck.length > 0 ? 'Sign off, checks confirmed' : 'Sign off single-view'}
        </button>
        <button type="button" onClick={onCancel} data-testid="sign-off-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}
