/**
 * Undo/redo per stroke over mask deltas. A new edit after undos drops the redo branch; the oldest
 * steps fall off beyond `capacity` (at least 50, issue 4). One history serves several masks (the
 * coronal and transverse views): each entry names its target, and the caller resolves it.
 */
import { applyDelta, type MaskDelta } from './delta';

export interface HistoryEntry<Target extends string = string> {
  target: Target;
  delta: MaskDelta;
}

export const DEFAULT_HISTORY_CAPACITY = 100;

export class EditHistory<Target extends string = string> {
  private readonly done: HistoryEntry<Target>[] = [];
  private readonly undone: HistoryEntry<Target>[] = [];

  constructor(readonly capacity = DEFAULT_HISTORY_CAPACITY) {
    if (capacity < 1) throw new Error('EditHistory capacity must be at least 1');
  }

  /** Records an edit already applied to the mask. */
  push(entry: HistoryEntry<Target>): void {
    this.done.push(entry);
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

  /** Reverts the last edit on its mask; returns the entry undone (null when nothing to undo). */
  undo(maskFor: (target: Target) => Uint8Array): HistoryEntry<Target> | null {
    const entry = this.done.pop();
    if (!entry) return null;
    applyDelta(maskFor(entry.target), entry.delta, 'backward');
    this.undone.push(entry);
    return entry;
  }

  redo(maskFor: (target: Target) => Uint8Array): HistoryEntry<Target> | null {
    const entry = this.undone.pop();
    if (!entry) return null;
    applyDelta(maskFor(entry.target), entry.delta, 'forward');
    this.done.push(entry);
    return entry;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
