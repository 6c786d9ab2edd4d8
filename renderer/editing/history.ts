/**
 * Undo/redo per stroke over mask deltas. A new edit after undos drops the redo branch; the oldest
 * steps fall off beyond `capacity` (at least 50, issue 4). One history serves several masks (the
 * coronal and transverse views): each entry names its target, and the caller resolves it. One step
 * may change several masks ("Reset to AI" on both views): it is undone and redone as a whole. An
 * edit that is not a mask's (a caliper placed or removed) is a step of its own, which knows how to
 * undo and redo itself: Undo takes back the reader's edits in the order made, whatever they were.
 */
import { applyDelta, type MaskDelta } from './delta';

export interface HistoryEntry<Target extends string = string> {
  target: Target;
  delta: MaskDelta;
}

/** An edit of something besides the masks: it puts its own state back, or forward again. */
export interface ActionEntry {
  /** What it changes, for the reader and the tests ("calipers"). */
  target: string;
  undo(): void;
  redo(): void;
}

type Entry<Target extends string> = HistoryEntry<Target> | ActionEntry;

const isMaskEntry = <Target extends string>(e: Entry<Target>): e is HistoryEntry<Target> =>
  'delta' in e;

export const DEFAULT_HISTORY_CAPACITY = 100;

export class EditHistory<Target extends string = string> {
  private readonly done: Entry<Target>[][] = [];
  private readonly undone: Entry<Target>[][] = [];

  constructor(readonly capacity = DEFAULT_HISTORY_CAPACITY) {
    if (capacity < 1) throw new Error('EditHistory capacity must be at least 1');
  }

  /** Records an edit already applied: one entry, or the entries of one step (in the order applied). */
  push(step: Entry<Target> | readonly HistoryEntry<Target>[]): void {
    const entries: Entry<Target>[] = Array.isArray(step) ? [...step] : [step as Entry<Target>];
    if (entries.length === 0) return;
    this.done.push(entries);
    if (this.done.length > this.capacity) this.done.shift();
    this.undone.length = 0;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  get undoDepth(): number {
    return this.done.length;
  }

  /** Reverts the last step on the masks it names; returns its entries (null when nothing to undo). */
  undo(maskFor: (target: Target) => Uint8Array): readonly Entry<Target>[] | null {
    const step = this.done.pop();
    if (!step) return null;
    for (const entry of [...step].reverse()) {
      if (isMaskEntry(entry)) applyDelta(maskFor(entry.target), entry.delta, 'backward');
      else entry.undo();
    }
    this.undone.push(step);
    return step;
  }

  redo(maskFor: (target: Target) => Uint8Array): readonly Entry<Target>[] | null {
    const step = this.undone.pop();
    if (!step) return null;
    for (const entry of step) {
      if (isMaskEntry(entry)) applyDelta(maskFor(entry.target), entry.delta, 'forward');
      else entry.redo();
    }
    this.done.push(step);
    return step;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
