/**
 * The one gesture (a brush stroke, a lasso, a line) a viewer pane is tracking, and the one way it
 * ends. A gesture ends in many ways: the release, a cancel (a pen or touch taken over by the
 * system), lost pointer capture, a new press, the window losing focus, another case's masks, the
 * pane unmounting. Each must close a stroke's recorder: an open recorder keeps its mask counted as
 * being stroked (strokeInProgress), and undo, redo and the whole-mask tools then refuse it for good.
 */
import type { MaskDelta, StrokeRecorder } from './delta';

/**
 * `commit`: the gesture takes effect (the stroke painted on screen goes into the history).
 * `discard`: it leaves no trace (the stroke's pixels are put back, nothing is recorded): for a
 * gesture on masks that are no longer shown.
 */
export type GestureEnd = 'commit' | 'discard';

/** What every gesture has: the pointer that makes it and, for a stroke, its recorder. */
export interface TrackedGesture {
  pointerId: number;
  recorder?: StrokeRecorder;
}

/**
 * Told once for each gesture that ends: `delta` is the stroke's (null for a discarded or empty
 * stroke, and for gestures that paint nothing as they go).
 */
export type GestureEnded<G> = (gesture: G, how: GestureEnd, delta: MaskDelta | null) => void;

export class GestureSlot<G extends TrackedGesture> {
  private open: G | null = null;

  constructor(private readonly ended: GestureEnded<G>) {}

  /** The gesture in progress, if any. */
  get current(): G | null {
    return this.open;
  }

  /** Starts a gesture; one still open (a second finger, a missed release) is committed first. */
  begin(gesture: G): void {
    this.end('commit');
    this.open = gesture;
  }

  /** Ends the open gesture: any, or only the one `pointerId` makes when it is given. */
  end(how: GestureEnd, pointerId?: number): void {
    const gesture = this.open;
    if (!gesture || (pointerId !== undefined && gesture.pointerId !== pointerId)) return;
    // Cleared first: whatever the listener does (or throws), this gesture is over.
    this.open = null;
    const delta = closeRecorder(gesture.recorder, how);
    this.ended(gesture, how, delta);
  }
}

/** Closes a stroke's recorder, keeping its delta or putting its pixels back. */
function closeRecorder(recorder: StrokeRecorder | undefined, how: GestureEnd): MaskDelta | null {
  if (!recorder) return null;
  if (how === 'commit') return recorder.finish();
  recorder.discard();
  return null;
}

/**
 * Ends the slot's gesture on the window events that end a pointer's gesture wherever the pointer is
 * (a release outside the window included): release, cancel, lost capture, and the window losing
 * focus (no release will come then). Returns the function that stops listening.
 */
export function endGesturesOnWindowEvents(
  win: Window,
  slot: Pick<GestureSlot<TrackedGesture>, 'end'>,
): () => void {
  const pointerDone = (e: PointerEvent) => slot.end('commit', e.pointerId);
  const focusLost = () => slot.end('commit');
  // Capture phase: a handler that stops the event on its way up must not keep the gesture open.
  const pointerEvents = ['pointerup', 'pointercancel', 'lostpointercapture'] as const;
  for (const type of pointerEvents) win.addEventListener(type, pointerDone, true);
  win.addEventListener('blur', focusLost);
  return () => {
    for (const type of pointerEvents) win.removeEventListener(type, pointerDone, true);
    win.removeEventListener('blur', focusLost);
  };
}
