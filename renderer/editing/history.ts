/**
 * Undo/redo per stroke over mask deltas. A new edit after undos drops the redo branch; the oldest
 * steps fall off beyond `capacity` (at least 50, issue 4).
 */
import { applyDelta, type MaskDelta } from './delta';

export const DEFAULT_HISTORY_CAPACITY = 100;

export class EditHistory {
  private readonly done: MaskDelta[] = [];
  private readonly undone: MaskDelta[] = [];

  constructor(readonly capacity = DEFAULT_HISTORY_CAPACITY) {
    if (capacity < 1) throw new Error('EditHistory capacity must be at least 1');
  }

  /** Records an edit already applied to the mask. */
  push(delta: MaskDelta): void {
    this.done.push(delta);
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

  /** Reverts the last edit on `mask`; returns the delta undone (null when nothing to undo). */
  undo(mask: Uint8Array): MaskDelta | null {
    const delta = this.done.pop();
    if (!delta) return null;
    applyDelta(mask, delta, 'backward');
    this.undone.push(delta);
    return delta;
  }

  redo(mask: Uint8Array): MaskDelta | null {
    const delta = this.undone.pop();
    if (!delta) return null;
    applyDelta(mask, delta, 'forward');
    this.done.push(delta);
    return delta;
  }

  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }
}
