// @vitest-environment happy-dom
/**
 * The Review tab's UI audit, the pure parts: the selected session and case remembered across a
 * reload (what is read back is checked, a session gone or another store's falls back to none), and
 * what the worklist's live region says of the selected case. End to end: test/e2e/review-audit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionDetail, SessionListItem } from '../../src/api/store-contract';
import {
  caseToReselect,
  readRememberedSelection,
  rememberSelection,
  stillListed,
} from '../../renderer/review/remembered-selection';
import { selectionAnnouncement } from '../../renderer/review/Worklist';
import { worklistEntry } from './renderer-fixtures';

const KEY = 'spv-review-selection';
const CREATED = '2026-12-01T09:00:00.000Z';

function listed(sessionId: string, createdAt = CREATED): SessionListItem {
  return { sessionId, title: 't', reader: 'r', createdAt, caseCount: 2, signedOffCount: 0 };
}

function detail(sessionId: string, caseIds: string[]): SessionDetail {
  return {
    sessionId,
    title: 't',
    reader: 'r',
    createdAt: CREATED,
    worklist: caseIds.map((id, k) => worklistEntry(id, 'ai-ready', k)),
  };
}

afterEach(() => localStorage.clear());

describe('remembered review selection', () => {
  it('reads back what was remembered, and nothing once the session is unselected', () => {
    expect(readRememberedSelection()).toBeNull();
    rememberSelection({ sessionId: '3', createdAt: CREATED, caseId: '7' });
    expect(readRememberedSelection()).toEqual({ sessionId: '3', createdAt: CREATED, caseId: '7' });
    rememberSelection({ sessionId: '3', createdAt: CREATED, caseId: null });
    expect(readRememberedSelection()).toEqual({ sessionId: '3', createdAt: CREATED, caseId: null });
    rememberSelection(null);
    expect(localStorage.getItem(KEY)).toBeNull();
    expect(readRememberedSelection()).toBeNull();
  });

  it('reads nothing from a value that is not JSON or not a selection', () => {
    for (const raw of ['{not json', '"3"', '{"sessionId":3}', '{"sessionId":"","createdAt":"x"}']) {
      localStorage.setItem(KEY, raw);
      expect(readRememberedSelection(), raw).toBeNull();
    }
  });

  it('restores a session only while this store lists it (same id, same creation)', () => {
    const remembered = { sessionId: '1', createdAt: CREATED, caseId: '2' };
    expect(stillListed(remembered, [listed('1')])).toBe(true);
    // Removed.
    expect(stillListed(remembered, [listed('2')])).toBe(false);
    expect(stillListed(remembered, [])).toBe(false);
    // Another data folder served on the same address: its session 1 is another session.
    expect(stillListed(remembered, [listed('1', '2026-12-02T10:00:00.000Z')])).toBe(false);
  });

  it('selects the remembered case again only if it is still in the worklist', () => {
    const session = detail('1', ['2', '5']);
    expect(caseToReselect({ sessionId: '1', createdAt: CREATED, caseId: '5' }, session)).toBe('5');
    expect(caseToReselect({ sessionId: '1', createdAt: CREATED, caseId: '9' }, session)).toBeNull();
    expect(
      caseToReselect({ sessionId: '1', createdAt: CREATED, caseId: null }, session),
    ).toBeNull();
  });
});

describe('worklist announcement', () => {
  const visible = [
    worklistEntry('1', 'ai-ready', 0),
    worklistEntry('2', 'signed-off', 1),
    worklistEntry('3', 'flagged', 2),
  ];

  it('says the place among the cases shown, the title and the status', () => {
    expect(selectionAnnouncement(visible, '2')).toBe('Case 2 of 3: case 2, Signed off');
    expect(selectionAnnouncement(visible, '3')).toBe('Case 3 of 3: case 3, Flagged');
    // Counted among the cases the filter shows, as j/k step through them.
    expect(selectionAnnouncement(visible.slice(1), '3')).toBe('Case 2 of 2: case 3, Flagged');
  });

  it('says nothing when no case is selected or the filter hides it', () => {
    expect(selectionAnnouncement(visible, null)).toBe('');
    expect(selectionAnnouncement(visible.slice(0, 2), '3')).toBe('');
  });
});
