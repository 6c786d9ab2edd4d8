/**
 * One undoable edit of a binary mask, stored as a delta (Excalidraw's lesson: deltas, not
 * snapshots): the indices of the pixels that changed, with their values before and after. A brush
 * stroke over a 1024×768 mask stores a few thousand bytes instead of 786 kB.
 */
export interface MaskDelta {
  indices: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
}

/** Applies a delta forwards (redo) or backwards (undo), in place. */
export function applyDelta(
  mask: Uint8Array,
  delta: MaskDelta,
  direction: 'forward' | 'backward',
): void {
  const values = direction === 'forward' ? delta.after : delta.before;
  for (let k = 0; k < delta.indices.length; k++) mask[delta.indices[k]] = values[k];
}

/** The delta that turns `before` into `after` (same size); null when nothing differs. */
export function diffMasks(before: Uint8Array, after: Uint8Array): MaskDelta | null {
  if (before.length !== after.length)
    throw new Error(`diffMasks: sizes differ (${before.length} vs ${after.length})`);
  let count = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) count++;
  if (count === 0) return null;
  const indices = new Uint32Array(count);
  const oldValues = new Uint8Array(count);
  const newValues = new Uint8Array(count);
  let k = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== after[i]) {
      indices[k] = i;
      oldValues[k] = before[i];
      newValues[k] = after[i];
      k++;
    }
  }
  return { indices, before: oldValues, after: newValues };
}

/**
 * The strokes being recorded on each mask. A stroke's delta keeps each pixel's value from before
 * the stroke first touched it, so anything else that changes the mask meanwhile (undo, redo, a
 * whole-mask operation) would be overwritten or undone wrongly when the stroke's delta is applied.
 */
const openStrokes = new WeakMap<Uint8Array, Set<StrokeRecorder>>();

/**
 * The mask each stroke's delta was painted on. A delta is only meaningful on that mask: applied to
 * another (the next case's, after a switch mid-stroke) it would paint the old stroke's pixels
 * there. Kept beside the delta, not in it, so the history holds no mask a case switch dropped.
 */
const paintedOn = new WeakMap<MaskDelta, Uint8Array>();

/** The mask a stroke's delta was recorded on; undefined for a delta no recorder made (a diff). */
export function strokeMaskOf(delta: MaskDelta): Uint8Array | undefined {
  return paintedOn.get(delta);
}

/**
 * Ends every stroke still being painted on `mask`, leaving no trace (its pixels are put back):
 * the mask is being dropped (another case opens), and a stroke on it must not reach the history.
 * A recorder ended so finishes later with no delta, however its gesture ends.
 */
export function discardOpenStrokes(mask: Uint8Array): void {
  for (const recorder of [...(openStrokes.get(mask) ?? [])]) recorder.discard();
}

/** True while a stroke is being painted on the mask: other edits must wait until it ends. */
export function strokeInProgress(mask: Uint8Array): boolean {
  return (openStrokes.get(mask)?.size ?? 0) > 0;
}

/**
 * The mask as its finished edits left it: the mask itself when no stroke is being painted on it,
 * else a copy with the open strokes' pixels put back. What is sent to be saved or estimated is
 * read through this: a stroke that a case switch cuts off is discarded, so none of it may have
 * been saved before (a stroke is saved whole or not at all).
 */
export function finishedPixels(mask: Uint8Array): Uint8Array {
  const open = openStrokes.get(mask);
  if (!open || open.size === 0) return mask;
  const copy = mask.slice();
  // Newest first: where two strokes overlap, the older one holds the value from before both.
  for (const recorder of [...open].reverse()) recorder.putBackInto(copy);
  return copy;
}

/**
 * Records the pixels a stroke changes while it paints in place, so that painting stays O(brush
 * area) per pointer move and the delta is ready when the stroke ends. The mask counts as being
 * stroked (strokeInProgress) from construction until finish() or discard().
 */
export class StrokeRecorder {
  private readonly original = new Map<number, number>();
  private open = true;

  constructor(private readonly mask: Uint8Array) {
    const open = openStrokes.get(mask) ?? new Set<StrokeRecorder>();
    open.add(this);
    openStrokes.set(mask, open);
  }

  /**
   * Sets a pixel to 0/1; returns true when its value changed. A stroke already ended paints no
   * more: one discarded under the pointer (its case left) must not go on changing its mask.
   */
  set(index: number, value: 0 | 1): boolean {
    if (!this.open) return false;
    const old = this.mask[index];
    if (old === value) return false;
    if (!this.original.has(index)) this.original.set(index, old);
    this.mask[index] = value;
    return true;
  }

  get changedCount(): number {
    return this.original.size;
  }

  /** The stroke's delta (pixels painted back to their first value are left out); null if none. */
  finish(): MaskDelta | null {
    this.close();
    const entries = [...this.original.entries()]
      .filter(([i, old]) => this.mask[i] !== old)
      .sort((a, b) => a[0] - b[0]);
    if (entries.length === 0) return null;
    const indices = new Uint32Array(entries.length);
    const before = new Uint8Array(entries.length);
    const after = new Uint8Array(entries.length);
    entries.forEach(([i, old], k) => {
      indices[k] = i;
      before[k] = old;
      after[k] = this.mask[i];
    });
    const delta = { indices, before, after };
    paintedOn.set(delta, this.mask);
    return delta;
  }

  /** Writes the values the stroke's pixels had before it into `target` (a copy of its mask). */
  putBackInto(target: Uint8Array): void {
    for (const [i, old] of this.original) target[i] = old;
  }

  /** Ends the stroke leaving no trace: every pixel it changed gets its first value back. */
  discard(): void {
    this.close();
    for (const [i, old] of this.original) this.mask[i] = old;
    this.original.clear();
  }

  /** The mask no longer counts as being stroked by this recorder (once, however often called). */
  private close(): void {
    if (!this.open) return;
    this.open = false;
    openStrokes.get(this.mask)?.delete(this);
  }
}
