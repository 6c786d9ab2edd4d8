/**
 * Calibration for an image without a physical pixel size: the reader draws a line between two
 * marks of the depth ruler and types the known distance. Until the coronal view is calibrated no
 * volume is shown; an uncalibrated transverse view is left out of the volume. Also redraws a
 * calibration the reader made, and asks them to check one that gives an implausible scale.
 */
import { useEffect, useRef, useState, type JSX, type KeyboardEvent, type RefObject } from 'react';
import type { ViewName } from '../../src/api';
import { useModalDialog } from '../hooks/use-modal-dialog';
import type { CalibrationDialogState, CalibrationRefusal } from '../hooks/use-calibration';
import {
  arrowStep,
  describeKeyboardLine,
  initialKeyboardLine,
  lineLengthPx,
  moveLineEnd,
  otherEnd,
  type ImageSize,
  type LineEnd,
  type Point,
} from '../viewer/keyboard-calibration';

export interface CalibrationDialogProps extends Partial<CalibrationDialogState> {
  view: ViewName;
  line: [[number, number], [number, number]] | null;
  busy: boolean;
  onApply(distanceMm: number): void;
  /**
   * The view's image size, for the line drawn with the keyboard (kept inside the image); with
   * `onLine`, the dialog offers to draw the line with the keyboard.
   */
  imageSize?: ImageSize;
  /** Places the line as the mouse does (the same calibration request follows). */
  onLine?(a: Point, b: Point): void;
  /** Takes the line away (Escape while drawing it with the keyboard). */
  onClearLine?(): void;
}

/** Why this view needs calibrating, in words true for it (the volume does not always wait). */
function whyCalibrate(view: ViewName): string {
  return view === 'coronal'
    ? 'This image carries no pixel size, so no volume can be computed until this view is calibrated.'
    : 'This image carries no pixel size: the transverse view is not used until calibrated; the volume shown comes from the coronal view alone.';
}

export function CalibrationDialog(p: CalibrationDialogProps): JSX.Element {
  // Empty, not a typical value: an untouched default would calibrate silently and wrongly.
  const [distance, setDistance] = useState('');
  // A distance typed for one view is not another's: cleared when the dialog moves on (it stays
  // mounted from the coronal view to the transverse one).
  const task = `${p.view}-${p.purpose ?? 'calibrate'}`;
  const [typedFor, setTypedFor] = useState(task);
  if (typedFor !== task) {
    setTypedFor(task);
    setDistance('');
  }
  const mm = Number(distance);
  const valid = distance.trim() !== '' && Number.isFinite(mm) && mm > 0 && mm <= 1000;
  const px = p.line ? lineLengthPx(p.line) : 0;
  const redo = p.purpose === 'recalibrate';
  const canApply = p.line !== null && valid && !p.busy;

  // Drawing with the keyboard: which end the arrows move, null while not drawing that way.
  const [keyboardEnd, setKeyboardEnd] = useState<LineEnd | null>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const startButton = useRef<HTMLButtonElement>(null);
  const lineEditor = useRef<HTMLDivElement>(null);
  const distanceField = useRef<HTMLInputElement>(null);
  const modalKeyDown = useModalDialog(dialogRef, startButton);
  const drawing = keyboardEnd !== null;
  // Where the focus goes once the editor has gone (Enter: the distance; Escape: the start button).
  const focusAfterDrawing = useRef<RefObject<HTMLElement | null> | null>(null);
  useEffect(() => {
    if (drawing) lineEditor.current?.focus();
    else focusAfterDrawing.current?.current?.focus();
    focusAfterDrawing.current = null;
  }, [drawing]);
  // Another view (the transverse after the coronal): its line starts afresh, with the mouse or keys.
  if (typedFor !== task && drawing) setKeyboardEnd(null);

  // Offered where the dialog knows the image and can place a line on it.
  const keyboard = p.imageSize && p.onLine ? { image: p.imageSize, place: p.onLine } : null;
  const startKeyboardLine = () => {
    if (!keyboard) return;
    if (!p.line) keyboard.place(...initialKeyboardLine(keyboard.image));
    setKeyboardEnd(1);
  };
  const stopKeyboardLine = (focus: RefObject<HTMLElement | null>) => {
    focusAfterDrawing.current = focus;
    setKeyboardEnd(null);
  };
  /** The line editor's keys: arrows move the selected end, Space switches ends, Enter/Escape leave. */
  const onLineKey = (e: KeyboardEvent) => {
    if (keyboardEnd === null || !keyboard) return;
    const step = arrowStep(e.key, e.shiftKey);
    if (step && p.line) {
      keyboard.place(...moveLineEnd(p.line, keyboardEnd, step, keyboard.image));
    } else if (e.key === ' ') {
      setKeyboardEnd(otherEnd(keyboardEnd));
    } else if (e.key === 'Enter') {
      stopKeyboardLine(distanceField);
    } else if (e.key === 'Escape') {
      p.onClearLine?.();
      stopKeyboardLine(startButton);
    } else {
      return;
    }
    // The key was the line's: it neither scrolls the panel nor reaches the dialog or the window.
    e.preventDefault();
    e.stopPropagation();
  };
  const lineText = !p.line
    ? 'No line drawn yet.'
    : keyboardEnd !== null
      ? describeKeyboardLine(p.line, keyboardEnd)
      : `Line drawn: ${px.toFixed(1)} px`;
  const instructionsId = `calibration-keys-${p.view}`;
  return (
    <div
      ref={dialogRef}
      className="dialog calibration"
      role="dialog"
      aria-modal="true"
      aria-labelledby="calibration-title"
      data-testid="calibration-dialog"
      data-purpose={redo ? 'recalibrate' : 'calibrate'}
      onKeyDown={(e) => {
        // Escape keeps the current calibration where there is one, else puts the task off (the
        // panel then offers to resume it): a keyboard reader is never held in the dialog.
        if (e.key === 'Escape') {
          const leave = p.onCancel ?? p.onPutOff;
          if (leave) {
            e.preventDefault();
            e.stopPropagation();
            leave();
            return;
          }
        }
        modalKeyDown(e);
      }}
    >
      <h2 id="calibration-title">
        {redo ? 'Recalibrate' : 'Calibrate'} the {p.view} image
      </h2>
      {p.warning && (
        <p className="warning strong" role="alert" data-testid="calibration-warning">
          ⚠ {p.warning}
        </p>
      )}
      <p data-testid="calibration-why">
        {redo ? 'The current calibration stays until you apply a new one.' : whyCalibrate(p.view)}{' '}
        Drag a line on the image between two marks of the depth ruler (or draw it with the
        keyboard), then enter the distance between them.
      </p>
      {drawing ? (
        <div
          ref={lineEditor}
          className="calibration-line-editor"
          // Arrow keys are the editor's own: a screen reader passes them on instead of reading.
          role="application"
          tabIndex={0}
          aria-label={`Calibration line on the ${p.view} image`}
          aria-describedby={instructionsId}
          data-testid="calibration-line-editor"
          data-end={keyboardEnd + 1}
          onKeyDown={onLineKey}
        >
          <p id={instructionsId}>
            Arrow keys move the selected end by 1 image pixel (with Shift by 10), Space switches to
            the other end, Enter goes to the distance, Escape takes the line away.
          </p>
        </div>
      ) : (
        keyboard && (
          <button
            type="button"
            ref={startButton}
            data-testid="calibration-keyboard"
            onClick={startKeyboardLine}
          >
            {p.line ? 'Adjust the line with the keyboard' : 'Draw with the keyboard'}
          </button>
        )
      )}
      {/* Said as it changes: the keyboard reader hears the line's length and ends after each move. */}
      <p data-testid="calibration-line" aria-live="polite">
        {lineText}
      </p>
      {/* A form, so that Enter in the distance applies it as the button does. */}
      <form
        className="calibration-apply"
        // Our own checks decide (a step mismatch such as 60.05 mm must not block Enter silently).
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canApply) p.onApply(mm);
        }}
      >
        <label>
          Known distance{' '}
          <input
            type="number"
            min={0.1}
            max={1000}
            step={0.1}
            value={distance}
            placeholder="mm"
            ref={distanceField}
            data-testid="calibration-distance"
            onChange={(e) => setDistance(e.target.value)}
          />{' '}
          mm
        </label>{' '}
        <button
          type="submit"
          data-testid="calibration-apply"
          disabled={!canApply}
          title={valid ? undefined : 'Enter the distance between the two ruler marks in mm'}
        >
          Apply calibration
        </button>
      </form>
      {p.onCancel && (
        <>
          {' '}
          <button type="button" data-testid="calibration-keep" onClick={p.onCancel}>
            Keep the current calibration
          </button>
        </>
      )}
      {p.problem && (
        <p className="warning" role="alert" data-testid="calibration-problem">
          {p.problem}
        </p>
      )}
    </div>
  );
}

/**
 * In the dialog's place on a read-only (signed-off) case with an uncalibrated view: why that view
 * cannot be calibrated, and what it means for the volume. No line can be drawn there.
 */
export function CalibrationRefused({ view, reason }: CalibrationRefusal): JSX.Element {
  return (
    <div
      className="dialog calibration"
      role="note"
      aria-labelledby="calibration-refused-title"
      data-testid="calibration-refused"
    >
      <h2 id="calibration-refused-title">The {view} image cannot be calibrated</h2>
      <p>
        {whyCalibrate(view)} {reason}.
      </p>
    </div>
  );
}

/**
 * In the dialog's place while the reader has put the view's calibration off (Escape): the volume
 * still waits for it, and this brings the dialog back (as does a line drawn on the image).
 */
export function CalibrationPutOff({
  view,
  onResume,
}: {
  view: ViewName;
  onResume(): void;
}): JSX.Element {
  return (
    <p className="calibration-put-off" data-testid="calibration-put-off">
      The {view} image is not calibrated.{' '}
      <button type="button" data-testid="calibration-resume" onClick={onResume}>
        Calibrate the {view} image…
      </button>
    </p>
  );
}
