/**
 * Undo/redo per stroke over mask deltas. A new edit after undos drops the redo branch; the oldest
 * steps fall off beyond `capacity` (at least 50, issue 4). One history serves several masks (the
 * coronal and transverse views): each entry names its target, and the caller resolves it. One step
 * may change several masks ("Reset to AI" on both views): it is undone and redone as a whole.
 */
import { applyDelta, type MaskDelta } from './delta';

export interface HistoryEntry<Target extends string = string> {
  target: Target;
  delta: MaskDelta;
}

export const DEFAULT_HISTORY_CAPACITY = 100;

export class EditHistory<Target extends string = string> {
  private readonly done: HistoryEntry<Target>[][] = [];
  private readonly undone: HistoryEntry<Target>[][] = [];

  constructor(readonly capacity = DEFAULT_HISTORY_CAPACITY) {
    if (capacity < 1) throw new Error('EditHistory capacity must be at least 1');
  }

  /** Records an edit already applied: one entry, or the entries of one step (in the order applied). */
  push(step: HistoryEntry<Target> | readonly HistoryEntry<Target>[]): void {
    const entries = Array.isArray(step) ? [...step] : [step as HistoryEntry<Target>];
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
  undo(maskFor: (target: Target) => Uint8Array): readonly HistoryEntry<Target>[] | null {
    const step = this.done.pop();
    if (!step) return null;
    for (const entry of [...step].reverse())
      applyDelta(maskFor(entry.target), entry.delta, 'backward');
    this.undone.push(step);
    return step;
  }

  redo(maskFor: (target: Target) => Uint8Array): readonly HistoryEntry<Target>[] | null {
    const step = this.undone.pop();
    if (!step) return null;
    for (const entry of step) applyDelta(maskFor(entry.target), entry.delta, 'forward');
    this.done.push(step);
    return step;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
