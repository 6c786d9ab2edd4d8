/**
 * The order of the edits this viewer sends (EditOrder, src/api/contract.ts): each estimate and
 * each save gets the next number as it leaves, under an id made once per page. The store saves a
 * stored case's edits in the order they reach it, and over the web host two requests can overtake
 * each other on the way: with these numbers it never saves an older edit over a newer one.
 */
import type { EditOrder } from '../src/api/contract';

/** A random id for this page: a reload is a new viewer, whose numbers start again. */
function newViewerId(): string {
  // randomUUID needs a secure context: Electron's and 127.0.0.1 pages are; getRandomValues is
  // there in every context, should a page be served some other way.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class EditSequence {
  private seq = 0;

  constructor(readonly viewer: string = newViewerId()) {}

  /** The place of the edit leaving now: after every edit this viewer sent before. */
  next(): EditOrder {
    this.seq += 1;
    return { viewer: this.viewer, seq: this.seq };
  }
}

/**
 * The page's one sequence, shared by every case it shows: the numbers grow across cases too, so
 * that they grow per case whatever the reader opens in between.
 */
export const pageEditSequence = new EditSequence();
