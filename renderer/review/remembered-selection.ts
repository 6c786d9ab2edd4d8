/**
 * The review session and case the reader had selected, kept across a reload of the page or a
 * restart of the app (localStorage serves the web host and Electron alike), so that the reader
 * comes back to the worklist they were working through instead of finding it again, with the case
 * the viewer showed opened in it again. What is read back is checked: a session since removed, or
 * one of another data folder served on the same address (its session 1 is not this one), falls
 * back to no selection.
 */
import { z } from 'zod';
import type { SessionDetail, SessionListItem } from '../../src/api/store-contract';

const SELECTION_KEY = 'spv-review-selection';

const RememberedSelectionSchema = z.object({
  sessionId: z.string().min(1),
  /** With the id, tells this store's session from another store's of the same id. */
  createdAt: z.string(),
  caseId: z.string().min(1).nullable(),
  /** The selected case was the one the viewer showed: it is opened in the viewer again. */
  inViewer: z.boolean().optional(),
});
export type RememberedSelection = z.infer<typeof RememberedSelectionSchema>;

/** The selection last remembered, or null (none, unreadable, or storage unavailable). */
export function readRememberedSelection(): RememberedSelection | null {
  try {
    const raw = globalThis.localStorage?.getItem(SELECTION_KEY);
    if (!raw) return null;
    const parsed = RememberedSelectionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not JSON (written by hand or by another version), or storage unavailable: nothing to restore.
    return null;
  }
}

/** Remembers the selection (null: no session selected, so nothing is restored next time). */
export function rememberSelection(selection: RememberedSelection | null): void {
  try {
    if (selection) globalThis.localStorage?.setItem(SELECTION_KEY, JSON.stringify(selection));
    else globalThis.localStorage?.removeItem(SELECTION_KEY);
  } catch {
    // Storage may be unavailable (private windows): the reader then selects the session again.
  }
}

/** Whether the remembered session is still among the store's sessions (same id, same creation). */
export function stillListed(
  selection: RememberedSelection,
  sessions: readonly SessionListItem[],
): boolean {
  return sessions.some(
    (s) => s.sessionId === selection.sessionId && s.createdAt === selection.createdAt,
  );
}

/** The remembered case if it is still in the session's worklist, else null (no case selected). */
export function caseToReselect(
  selection: RememberedSelection,
  session: SessionDetail,
): string | null {
  const { caseId } = selection;
  return caseId !== null && session.worklist.some((e) => e.case.caseId === caseId) ? caseId : null;
}
