/**
 * Review sessions (issue 5): import and browse cases, build a session from a selection for a
 * reader, work through its worklist (filters, ↓/↑ or j/k, Enter opens the case in the viewer),
 * accept / flag / sign off / unlock each case, see and export the session summary, and export
 * reports. Time on each case is recorded while it is selected. The viewer (mounted by the host
 * app through `onOpenCase`) saves corrections itself: every edit of a stored case is stored.
 * Accepting the AI's mask and signing off act on what the reader reviewed, so only on the case in
 * the viewer (`viewerCaseId`, marked in the worklist). An action on the case in the viewer waits
 * for its edits to be saved first, and accepting, signing off or unlocking shows the case again as
 * the store now holds it (its masks, its lock).
 */
import { pageEditSequence } from '../save-order';
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import type { Estimate, SpvApi } from '../../src/api';
import type {
  CaseSummary,
  ExportedFile,
  ImportReport,
  ReportFormat,
  SessionDetail,
  SessionListItem,
  SessionSummary,
  StoredCaseView,
} from '../../src/api/store-contract';
import type { OpeningClaim } from '../hooks/use-case-loader';
import { useNewest } from '../hooks/use-newest';
import { CaseActions, OPEN_IN_VIEWER_FIRST } from './CaseActions';
import { CaseBrowser } from './CaseBrowser';
import { SessionSummaryView } from './SessionSummaryView';
import { Worklist } from './Worklist';
import { CaseTimer, stepCase, visibleEntries, type StatusFilter } from './worklist-nav';
import {
  caseToReselect,
  readRememberedSelection,
  rememberSelection,
  stillListed,
} from './remembered-selection';
import './review.css';

const READER_KEY = 'spv-reader';

export interface ReviewPanelProps {
  api: SpvApi;
  /**
   * Show the case in the viewer. `opened` is what openStoredCase returned: the engine's CaseView
   * (its caseId is the one segment/estimate take), the AI's and the current masks, the estimate.
   * Estimates of that engine case are saved by the service as the reader edits, under `reader`.
   * `claim` says whether this opening is still the newest the viewer was asked for.
   */
  onOpenCase: (
    caseId: string,
    opened: StoredCaseView,
    reader: string,
    claim: (() => boolean) | undefined,
  ) => void;
  /**
   * Takes the opening's place among the viewer's openings when the reader asks for it: an opening
   * the reader made later from elsewhere (the Open dialog) wins over this one answering later. It
   * drops the viewer's opening in progress, so it is taken only for an opening that is asked of the
   * store; `failed` is told when the store refuses it.
   */
  claimViewer?: (caseId: string) => OpeningClaim;
  /**
   * When `caseId` is the stored case in the viewer: waits until its edits are saved and gives the
   * estimate the viewer shows. Null when the viewer shows another case.
   */
  settleViewer?: (caseId: string) => Promise<{ estimate: Estimate | null } | null>;
  /**
   * Waits until every edit the viewer has sent or still holds (of any case, those of a case just
   * left included) has reached the store: a case opened again must come back with all of them.
   */
  settleEdits?: () => Promise<void>;
  /**
   * The stored case the viewer shows (null or absent: a sample, files, or nothing): the only case
   * the reader can accept or sign off, since it is the one reviewed.
   */
  viewerCaseId?: string | null;
  /**
   * The latest estimate the viewer shows for `viewerCaseId` (null: none yet). Each new one is a
   * new estimate of that case, saved by the store as it was made: once the viewer's edits are
   * settled, that case's row, note and sign-off step are read again from the store, so that they
   * ask about what the viewer shows now (an edited outline drops "uncertain AI … outline", Reset
   * to AI brings it back), not about the estimate the panel last read.
   */
  viewerEstimate?: Estimate | null;
  /**
   * The views of stored case `caseId` were swapped (the viewer shows it again next): the host says
   * so in its status line, and that the undo history went with it is said before the swap.
   */
  onViewsSwapped?: (caseId: string, title: string) => void;
  /**
   * A recorded action changed stored case `caseId` (signed off, unlocked, flagged, its AI mask
   * accepted, a view imported into the case in the viewer): the host's status line says `note`,
   * and says it again once the viewer shows the case afresh when `reopening` (the action opens the
   * case in the viewer again, which would otherwise leave "… opened" there, as if nothing had
   * changed).
   */
  onCaseStatusChanged?: (caseId: string, note: string, reopening: boolean) => void;
  /**
   * The viewer shows no case and none was asked for at start (no sample): the case it showed
   * before a reload of the page or a restart, if the remembered selection says so, is opened in it
   * again. False once anything is shown, so that a case is never opened over the reader's choice.
   */
  mayReopenInViewer?: boolean;
  /**
   * Whether the Review tab is on screen (the host keeps the panel mounted behind its other tabs):
   * leaving it stores the time on the selected case so far. Absent: always on screen.
   */
  onScreen?: boolean;
}

/** What the viewer shows of its stored case once its edits are saved (see settleViewer). */
type ViewerShown = { estimate: Estimate | null };

/**
 * How far apart (relative) the volume on record and the viewer's may be and still count as the
 * same: float noise, far below the 0.1 mL shown. An estimate recomputed from the same inputs on
 * another inference provider (the viewer's, after `spv import --ai` elsewhere) differs in its last
 * digits and is not saved again, since it repeats the saved one's inputs: exact equality would
 * refuse sign-off for good. Volumes this close show the same value to every digit displayed.
 */
const VOLUME_NOISE = 1e-6;

/** Whether the volume on record is the one the viewer shows (see VOLUME_NOISE). */
function sameVolume(onRecord: number | null, shown: number): boolean {
  if (onRecord === null) return false;
  return Math.abs(onRecord - shown) <= VOLUME_NOISE * Math.max(Math.abs(onRecord), Math.abs(shown));
}

function readStoredReader(): string {
  try {
    return globalThis.localStorage?.getItem(READER_KEY) ?? '';
  } catch {
    return '';
  }
}

export function ReviewPanel({
  api,
  onOpenCase,
  claimViewer,
  settleViewer,
  settleEdits,
  viewerCaseId = null,
  viewerEstimate = null,
  onViewsSwapped,
  onCaseStatusChanged,
  onScreen = true,
  mayReopenInViewer = false,
}: ReviewPanelProps): JSX.Element {
  const [reader, setReader] = useState(readStoredReader);
  const [cases, setCases] = useState<CaseSummary[]>([]);
  const [sessions, setSessions] = useState<SessionListItem[]>([]);
  const [session, setSession] = useState<SessionDetail | null>(null);
  const [filter, setFilter] = useState<StatusFilter>('all');
  const [selectedCaseId, setSelectedCaseId] = useState<string | null>(null);
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [lastImport, setLastImport] = useState<ImportReport | null>(null);
  const [caseExports, setCaseExports] = useState<ExportedFile[]>([]);
  const [sessionExports, setSessionExports] = useState<ExportedFile[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  // Where the focus goes once the panel is idle again after an import or a new session (see below).
  const [focusNext, setFocusNext] = useState<'import-report' | 'worklist' | 'errors' | null>(null);
  const importReport = useRef<HTMLDivElement>(null);
  const worklistElement = useRef<HTMLDivElement>(null);
  const errorsElement = useRef<HTMLDivElement>(null);

  /**
   * Runs one API call with the busy mark; failures are shown, never swallowed. A failure of the same
   * action shown from an earlier try goes as this one starts: left above this try's result (an
   * import's, say), it would read as what went wrong this time.
   */
  const call = useCallback(async <T,>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    setErrors((list) => list.filter((e) => !e.startsWith(`${what}: `)));
    setBusy(true);
    try {
      return await fn();
    } catch (error) {
      setErrors((list) => [
        ...list,
        `${what}: ${error instanceof Error ? error.message : String(error)}`,
      ]);
      return null;
    } finally {
      setBusy(false);
    }
  }, []);

  // Store reads, numbered as they start: a single case's summary read before a full refresh
  // started is older than what that refresh shows, and is dropped (see refreshCase).
  const storeReads = useRef(0);
  const lastFullRead = useRef(0);
  /** Reads the cases, the sessions and `sessionId`'s worklist again; resolves to the sessions. */
  const refresh = useCallback(
    async (sessionId: string | null = session?.sessionId ?? null): Promise<SessionListItem[]> => {
      lastFullRead.current = ++storeReads.current;
      const [all, list] = await Promise.all([api.listCases({}), api.listSessions({})]);
      setCases(all);
      setSessions(list);
      if (sessionId) setSession(await api.getSession({ sessionId }));
      return list;
    },
    [api, session?.sessionId],
  );

  // Whether the reader has chosen or made a session since the panel was mounted: the session
  // remembered from before a reload, read meanwhile, is then not restored over it.
  const sessionChosen = useRef(false);
  // Until the remembered selection is restored (or found gone), the empty selection of a panel
  // just mounted is not remembered over it.
  const [restored, setRestored] = useState(false);
  // The restored case, when the viewer showed it: opened in the viewer again (see below).
  const reopenAfterRestore = useRef<string | null>(null);
  useEffect(() => {
    void call('Loading the cases', async () => {
      const list = await refresh(null);
      const remembered = readRememberedSelection();
      if (!remembered || sessionChosen.current) return;
      if (!stillListed(remembered, list)) {
        // Removed, or another data folder's: the reader starts from no session, as on a first start.
        rememberSelection(null);
        return;
      }
      const detail = await api.getSession({ sessionId: remembered.sessionId });
      if (sessionChosen.current) return;
      setSession(detail);
      const caseId = caseToReselect(remembered, detail);
      selectedNow.current = caseId;
      setSelectedCaseId(caseId);
      if (caseId !== null && remembered.inViewer) reopenAfterRestore.current = caseId;
    }).finally(() => setRestored(true));
    // Load once on mount; later refreshes follow the reader's actions.
  }, []);

  // The selected session and case are remembered for the next start (see remembered-selection),
  // and whether the viewer showed that case.
  useEffect(() => {
    if (!restored) return;
    rememberSelection(
      session
        ? {
            sessionId: session.sessionId,
            createdAt: session.createdAt,
            caseId: selectedCaseId,
            inViewer: selectedCaseId !== null && viewerCaseId === selectedCaseId,
          }
        : null,
    );
  }, [restored, session?.sessionId, session?.createdAt, selectedCaseId, viewerCaseId]);

  /**
   * Reads one case's summary again and puts it in the case list and the worklist, without the busy
   * mark: it follows the viewer's edits, and must not turn the reader's buttons off under them.
   */
  const refreshCase = useCallback(
    async (caseId: string) => {
      const read = ++storeReads.current;
      const { summary: now } = await api.getCase({ caseId });
      if (read < lastFullRead.current) return;
      setCases((all) => all.map((c) => (c.caseId === caseId ? now : c)));
      setSession((s) =>
        s && s.worklist.some((e) => e.case.caseId === caseId)
          ? {
              ...s,
              worklist: s.worklist.map((e) => (e.case.caseId === caseId ? { ...e, case: now } : e)),
            }
          : s,
      );
    },
    [api],
  );

  // The viewer's new estimate of its stored case (an edit, Reset to AI, a calibration): once its
  // edits are saved, the case's row and actions show the store's latest estimate. Only the newest
  // estimate's read goes ahead; a later one starts its own.
  useEffect(() => {
    if (!viewerCaseId || !viewerEstimate) return;
    let superseded = false;
    void (async () => {
      try {
        const inViewer = settleViewer ? await settleViewer(viewerCaseId) : { estimate: null };
        // The viewer moved on to another case meanwhile: its own estimate will say so.
        if (superseded || !inViewer) return;
        await refreshCase(viewerCaseId);
      } catch (error) {
        setErrors((list) => [
          ...list,
          `Reading the case again after the viewer's edit: ${error instanceof Error ? error.message : String(error)}`,
        ]);
      }
    })();
    return () => {
      superseded = true;
    };
    // settleViewer and refreshCase are stable for a given app; the estimate is the signal.
  }, [viewerEstimate, viewerCaseId]);

  useEffect(() => {
    try {
      globalThis.localStorage?.setItem(READER_KEY, reader);
    } catch {
      // Storage may be unavailable (private windows): the name is then asked again next time.
    }
  }, [reader]);

  /**
   * Records the time spent on a case against the session it was spent in. Without the busy mark:
   * it runs behind the reader's moves and actions (and inside them, see recordTimeSoFar), and must
   * neither turn the buttons off under the reader nor end an action's busy mark early.
   */
  const recordTime = useCallback(
    async (sessionId: string, finished: { caseId: string; ms: number }): Promise<void> => {
      if (finished.ms < 1) return;
      try {
        const stored = await api.recordTimeSpent({
          sessionId,
          caseId: finished.caseId,
          ms: finished.ms,
        });
        // The worklist shows the time the store now holds: without this its row kept the time of
        // the last full read, behind the summary's and the export's for the same case. Times only
        // grow, so a row read later (by a refresh that overtook this call) is never set back.
        setSession((s) =>
          s && s.sessionId === sessionId
            ? {
                ...s,
                worklist: s.worklist.map((e) =>
                  e.case.caseId === finished.caseId
                    ? { ...e, timeSpentMs: Math.max(e.timeSpentMs, stored.timeSpentMs) }
                    : e,
                ),
              }
            : s,
        );
      } catch (error) {
        setErrors((list) => [
          ...list,
          `Recording the time spent: ${error instanceof Error ? error.message : String(error)}`,
        ]);
      }
    },
    [api],
  );

  // Time on the selected case runs from its selection until another case (or none) is selected,
  // the session changes or the panel goes away. Keyed on the case and the session's id only: every
  // action refreshes the session (a new object), and that must not stop the clock.
  const sessionId = session?.sessionId ?? null;
  // The clock now running (null: none), for recording the time so far without stopping it.
  const clock = useRef<{ timer: CaseTimer; caseId: string; sessionId: string } | null>(null);
  /**
   * Records the time on the selected case so far, and its clock goes on from now. The worklist and
   * the summary read the time the store holds, so this runs wherever they would otherwise miss
   * the case still selected: its sign-off (the last case of a session is never left for another),
   * the summary and its export, and the reader leaving the page or the Review tab.
   */
  const recordTimeSoFar = useCallback(async (): Promise<void> => {
    const running = clock.current;
    if (!running) return;
    const sofar = running.timer.start(running.caseId);
    if (sofar) await recordTime(running.sessionId, sofar);
  }, [recordTime]);
  // Read through a ref by the timer below, which must not restart when the recorder changes.
  const recordTimeRef = useRef(recordTime);
  recordTimeRef.current = recordTime;
  useEffect(() => {
    if (!selectedCaseId || !sessionId) return;
    const running = { timer: new CaseTimer(), caseId: selectedCaseId, sessionId };
    running.timer.start(selectedCaseId);
    clock.current = running;
    // Closing the window runs no React clean-up: the time so far is recorded as the page goes (the
    // request is sent with keepalive, see api-client.ts), and the clock goes on if it comes back.
    // A page hidden (another browser tab, the window minimised) may be discarded without that.
    const onPageHide = () => void recordTimeSoFar();
    const onHidden = () => {
      if (document.visibilityState === 'hidden') void recordTimeSoFar();
    };
    window.addEventListener('pagehide', onPageHide);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      document.removeEventListener('visibilitychange', onHidden);
      if (clock.current === running) clock.current = null;
      const finished = running.timer.stop();
      if (finished) void recordTimeRef.current(sessionId, finished);
    };
  }, [selectedCaseId, sessionId]);

  // The summary on screen follows the session's cases: a case signed off, flagged, unlocked or
  // estimated again after the summary was opened is read again with it, or the summary would show
  // the statuses and statistics of when it was opened (while its export writes today's). Keyed on
  // what the summary shows of each case, not on the session object, which every read renews.
  const summaryShown = summary !== null;
  // Counts the actions recorded on a case in the viewer (Accept AI mask, sign-off, swap): accepting
  // changes neither the status (opening made it In review) nor the version nor the estimate, yet it
  // makes the case reviewed, which decides whether the summary's statistics include it.
  const [viewerCaseActions, setViewerCaseActions] = useState(0);
  const worklistState = session?.worklist
    .map((e) => `${e.case.caseId}:${e.case.status}:${e.case.version}:${e.case.estimateId ?? ''}`)
    .join('|');
  useEffect(() => {
    if (!summaryShown || !sessionId) return;
    let superseded = false;
    api.sessionSummary({ sessionId }).then(
      (now) => {
        if (!superseded) setSummary(now);
      },
      (error: unknown) =>
        setErrors((list) => [
          ...list,
          `Reading the session summary again: ${error instanceof Error ? error.message : String(error)}`,
        ]),
    );
    return () => {
      superseded = true;
    };
    // Read again when a case changed, not when the summary itself arrives.
  }, [worklistState, viewerCaseActions]);

  // Leaving the Review tab for the viewer's tabs: the time so far is stored (the clock goes on: the
  // reader is still reviewing the case), so the worklist and summary read elsewhere include it.
  useEffect(() => {
    if (!onScreen) void recordTimeSoFar();
  }, [onScreen]);

  // The selection as of the last select(), before React renders it: Alt+↓ pressed twice quickly
  // (key repeat) steps from the case the first press chose, not from the one still on screen.
  const selectedNow = useRef<string | null>(null);
  selectedNow.current = selectedCaseId;
  const select = useCallback(
    (caseId: string | null) => {
      if (caseId === selectedCaseId) return;
      selectedNow.current = caseId;
      setSelectedCaseId(caseId);
      setCaseExports([]);
    },
    [selectedCaseId],
  );

  const entries = useMemo(() => session?.worklist ?? [], [session]);
  const visible = useMemo(() => visibleEntries(entries, filter), [entries, filter]);
  const selected = entries.find((e) => e.case.caseId === selectedCaseId)?.case ?? null;
  const needReader = !reader.trim();
  /** The title the worklist and the case browser show for a stored case (null: not listed). */
  const titleOf = useCallback(
    (caseId: string): string | null =>
      entries.find((e) => e.case.caseId === caseId)?.case.title ??
      cases.find((c) => c.caseId === caseId)?.title ??
      null,
    [entries, cases],
  );

  // Alt+↓ pressed quickly sends several openings; only the newest may show its case, whatever
  // order the answers come back in.
  const startOpening = useNewest();
  const open = useCallback(
    /** `keepSelection`: the viewer's own case shown again (see onImport), the worklist not moved. */
    async (caseId: string, { keepSelection = false }: { keepSelection?: boolean } = {}) => {
      const isNewest = startOpening();
      if (!keepSelection) select(caseId);
      if (needReader) {
        setErrors((list) => [
          ...list,
          'Type your name as the reader first: every change is recorded under it.',
        ]);
        return;
      }
      // Claimed now, not when the store answers (a later Open-dialog opening wins), but only now
      // that the store is asked: an opening refused here must not cancel the viewer's.
      const claim = claimViewer?.(caseId);
      const opened = await call('Opening the case', async () => {
        try {
          await settleEdits?.();
          return await api.openStoredCase({
            caseId,
            reader: reader.trim(),
            sessionId: session?.sessionId ?? null,
          });
        } catch (error) {
          claim?.failed(error);
          throw error;
        }
      });
      if (opened && isNewest()) {
        onOpenCase(caseId, withStoredTitle(opened, titleOf(caseId)), reader.trim(), claim);
        await refresh();
      }
    },
    [
      api,
      call,
      claimViewer,
      settleEdits,
      titleOf,
      needReader,
      onOpenCase,
      reader,
      refresh,
      select,
      session?.sessionId,
      startOpening,
    ],
  );

  // Alt+↓ / Alt+↑ move through the worklist from anywhere (the viewer keeps the plain arrows). The
  // listener reads the list and the opener as last rendered through a ref: an effect re-attaching
  // it runs after the paint, so a key pressed as soon as the list shows would meet the old one.
  const worklistKeys = useRef({ visible, open });
  worklistKeys.current = { visible, open };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      const { visible: shown, open: openCase } = worklistKeys.current;
      const next = stepCase(shown, selectedNow.current, e.key === 'ArrowDown' ? 1 : -1);
      if (next) void openCase(next);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The case the viewer showed before a reload or restart, once the selection is restored: opened
  // again (the store has every edit), unless the viewer shows something else by then or the reader
  // has no name yet (the open would be refused, and asking for one at start is not this effect's).
  const mayReopen = useRef(mayReopenInViewer);
  mayReopen.current = mayReopenInViewer;
  useEffect(() => {
    const caseId = reopenAfterRestore.current;
    if (!restored || caseId === null) return;
    reopenAfterRestore.current = null;
    if (mayReopen.current && !needReader && selectedNow.current === caseId)
      void open(caseId, { keepSelection: true });
    // Once, when the restore is done; `open` as it is then.
  }, [restored]);

  // The Import and New session buttons are off while the panel is busy, and a focused button turned
  // off drops the focus to the page: once idle, it goes to what the reader acts on next (the
  // import's result, the new session's worklist with its first case selected, or what failed).
  useEffect(() => {
    if (!focusNext || busy) return;
    setFocusNext(null);
    // The reader went on elsewhere meanwhile (the viewer, the reader's name): the focus stays there.
    const active = document.activeElement;
    if (active && active !== document.body && !active.closest('[data-testid=case-browser]')) return;
    const target = {
      'import-report': importReport,
      worklist: worklistElement,
      errors: errorsElement,
    }[focusNext].current;
    target?.focus();
  }, [focusNext, busy]);

  // The case in the viewer as of now, for what follows an import (which may take a while).
  const viewerNow = useRef(viewerCaseId);
  viewerNow.current = viewerCaseId;
  /**
   * An import that gave the case in the viewer another image (its transverse view, another DICOM
   * of the study) changed its views and estimate: the viewer still showed the case as opened, so
   * the reader would review, and try to sign off, what the store no longer holds (refused: the
   * volumes differ, and waiting would not change it). The viewer shows the case again, with the
   * image and the estimate of both views, and the status line says why.
   */
  const showAddedView = async (report: ImportReport): Promise<void> => {
    const shown = viewerNow.current;
    const added = report.imported.find((i) => i.caseId === shown);
    if (!shown || !added) return;
    const view = added.view === 'coronal' ? 'Coronal' : 'Transverse';
    onCaseStatusChanged?.(shown, `${view} view added: ${titleOf(shown) ?? `case ${shown}`}`, true);
    await open(shown, { keepSelection: true });
  };

  /** Runs an action, then refreshes; resolves to whether the action succeeded. */
  const act = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    if ((await call(what, fn)) === null) return false;
    await call('Refreshing', () => refresh());
    return true;
  };
  const who = reader.trim();

  /**
   * Unlocking: after the viewer's own edits are saved, and then the viewer shows the case as stored
   * (editable again, a fresh undo history). Resolves to whether the case was unlocked.
   */
  const changeCase = async (
    what: string,
    caseId: string,
    fn: () => Promise<unknown>,
    note: string,
  ): Promise<boolean> => {
    const inViewer = (await settleViewer?.(caseId)) ?? null;
    if ((await call(what, fn)) === null) return false;
    onCaseStatusChanged?.(caseId, note, inViewer !== null);
    if (inViewer) await open(caseId);
    else await call('Refreshing', () => refresh());
    return true;
  };

  /**
   * Accepting the AI mask or signing off: acts on what the reader reviewed, so only on the case in
   * the viewer, once its edits are saved; the viewer then shows the case as stored (its masks, and
   * after a sign-off its lock, so that it refuses edits the store would not save).
   */
  const reviewViewerCase = async (
    what: string,
    c: CaseSummary,
    fn: (shown: ViewerShown) => Promise<unknown>,
    { reopenOnFailure = false }: { reopenOnFailure?: boolean } = {},
  ): Promise<void> => {
    const shown = (await settleViewer?.(c.caseId)) ?? null;
    if (!shown) {
      // The buttons are off for any other case; the viewer may have moved on since the click.
      setErrors((list) => [
        ...list,
        `${what}: ${c.title} is not the case in the viewer. ${OPEN_IN_VIEWER_FIRST}.`,
      ]);
      return;
    }
    if ((await call(what, () => fn(shown))) === null) {
      if (reopenOnFailure) {
        // The action may be stored although it then failed (a swap saved, its new volume not):
        // the viewer shows the case as stored, or its next edits would be of the old case.
        await open(c.caseId);
        return;
      }
      // Refused (a newer estimate, perhaps with other things to check first): the worklist shows
      // the case as now stored, so that the reader confirms what the store asks, not what it did.
      await call('Refreshing', () => refresh());
      return;
    }
    setViewerCaseActions((n) => n + 1);
    await open(c.caseId);
  };

  /**
   * Signs off the estimate the reader saw in the viewer, its edits saved: refused if the store
   * holds another volume. `checked`: the checkFirst phrases the reader confirmed having checked
   * (the store refuses a sign-off that leaves one of its estimate's out, and audits them).
   */
  const signOff = async (
    c: CaseSummary,
    inViewer: ViewerShown,
    checked: readonly string[],
  ): Promise<CaseSummary> => {
    const onRecord = (await api.listCases({})).find((x) => x.caseId === c.caseId);
    const shown = inViewer.estimate;
    if (shown && onRecord && !sameVolume(onRecord.volumeMl, shown.volumeMl)) {
      throw new Error(
        `the volume in the viewer (${shown.volumeMl.toFixed(1)} mL) is not the one on record (${onRecord.volumeMl?.toFixed(1) ?? 'none'} mL): the latest edit has no saved estimate yet, or the case changed elsewhere (an image imported into it from another window or by spv import). Wait for the volume to update, or open the case in the viewer again to see it as stored, then sign off.`,
      );
    }
    return api.signOff({
      caseId: c.caseId,
      reader: who,
      estimateId: onRecord?.estimateId,
      ...(checked.length > 0 ? { checked: [...checked] } : {}),
    });
  };

  return (
    <div className="review-panel" data-testid="review-panel">
      <div className="review-row">
        <label className="review-grow">
          Reader{' '}
          <input
            value={reader}
            onChange={(e) => setReader(e.target.value)}
            placeholder="Your name (recorded with every change)"
            data-testid="reader-name"
          />
        </label>
        {busy && (
          <span className="review-muted" data-testid="review-busy">
            working…
          </span>
        )}
      </div>
      {errors.length > 0 && (
        <div
          ref={errorsElement}
          className="review-errors"
          role="alert"
          tabIndex={-1}
          data-testid="review-errors"
        >
          <ul>
            {errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
          <button type="button" onClick={() => setErrors([])}>
            Dismiss
          </button>
        </div>
      )}
      <CaseBrowser
        cases={cases}
        lastImport={lastImport}
        busy={busy}
        reportRef={importReport}
        onImport={(paths, runAi, frame) =>
          void call('Importing', async () => {
            const report = await api.importPaths({ paths, runAi, frame });
            setLastImport(report);
            await refresh();
            return report;
          }).then(async (report) => {
            setFocusNext(report === null ? 'errors' : 'import-report');
            if (report) await showAddedView(report);
          })
        }
        onCreateSession={(caseIds, title) => {
          if (needReader) {
            setErrors((list) => [
              ...list,
              'Type your name as the reader before starting a session.',
            ]);
            return;
          }
          sessionChosen.current = true;
          void call('Creating the session', async () => {
            const created = await api.createSession({ reader: who, caseIds, title: title || null });
            setSession(created);
            setSummary(null);
            setSessionExports([]);
            setFilter('all');
            select(created.worklist[0]?.case.caseId ?? null);
            await refresh(created.sessionId);
          }).then((done) => setFocusNext(done === null ? 'errors' : 'worklist'));
        }}
      />
      <section className="review-section">
        <h3>Session</h3>
        <div className="review-row">
          <select
            value={session?.sessionId ?? ''}
            onChange={(e) => {
              sessionChosen.current = true;
              void call('Loading the session', async () => {
                select(null);
                setSummary(null);
                setSessionExports([]);
                setSession(
                  e.target.value ? await api.getSession({ sessionId: e.target.value }) : null,
                );
              });
            }}
            aria-label="Review session"
            data-testid="session-select"
          >
            <option value="">— choose a session —</option>
            {sessions.map((s) => (
              <option key={s.sessionId} value={s.sessionId}>
                {s.title} · {s.reader} · {s.signedOffCount}/{s.caseCount} signed off
              </option>
            ))}
          </select>
          {session && (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void call('Summarising', async () => {
                  // The summary's times include the case still selected.
                  await recordTimeSoFar();
                  setSummary(await api.sessionSummary({ sessionId: session.sessionId }));
                })
              }
              data-testid="show-summary"
            >
              Summary
            </button>
          )}
        </div>
        {session && (
          <Worklist
            entries={entries}
            visible={visible}
            filter={filter}
            selectedCaseId={selectedCaseId}
            viewerCaseId={viewerCaseId}
            onFilter={setFilter}
            onSelect={select}
            onStep={(step) => select(stepCase(visible, selectedCaseId, step))}
            onOpen={(caseId) => void open(caseId)}
            listRef={worklistElement}
          />
        )}
      </section>
      {selected && (
        <CaseActions
          summary={selected}
          busy={busy}
          exported={caseExports}
          inViewer={selected.caseId === viewerCaseId}
          readerNamed={!needReader}
          onOpen={() => void open(selected.caseId)}
          onAccept={() =>
            void reviewViewerCase('Accepting the AI mask', selected, async () => {
              // Numbered like an edit: one sent before it that arrives after it is not saved over it.
              const accepted = await api.acceptAi({
                caseId: selected.caseId,
                reader: who,
                editOrder: pageEditSequence.next(),
              });
              // The case stays In review and is opened again: without this the status line would
              // say only "… opened", and nothing on screen would show that the accept was recorded.
              onCaseStatusChanged?.(selected.caseId, `AI mask accepted: ${selected.title}`, true);
              return accepted;
            })
          }
          onFlag={async (comment) => {
            const flagged = await act('Flagging', () =>
              api.flagCase({ caseId: selected.caseId, reader: who, comment }),
            );
            if (flagged)
              onCaseStatusChanged?.(selected.caseId, `Flagged: ${selected.title}`, false);
            return flagged;
          }}
          onSignOff={(checked) =>
            reviewViewerCase('Signing off', selected, async (shown) => {
              const signed = await signOff(selected, shown, checked);
              // Stored before the worklist is read again: the last case of a session is never left
              // for another, and its time would otherwise read 0 in the worklist and the summary.
              await recordTimeSoFar();
              onCaseStatusChanged?.(selected.caseId, `Signed off: ${selected.title}`, true);
              return signed;
            })
          }
          onSwapViews={() =>
            reviewViewerCase(
              'Swapping the views',
              selected,
              async () => {
                const swapped = await api.swapViews({
                  caseId: selected.caseId,
                  reader: who,
                  // After every edit this page sent: one still on its way is not saved over the swap.
                  editOrder: pageEditSequence.next(),
                });
                onViewsSwapped?.(selected.caseId, selected.title);
                return swapped;
              },
              // A swap is saved before its new volume is computed, which may fail: reopened either way.
              { reopenOnFailure: true },
            )
          }
          onUnlock={(reason) =>
            changeCase(
              'Unlocking',
              selected.caseId,
              () => api.unlockCase({ caseId: selected.caseId, reader: who, reason }),
              `Unlocked: ${selected.title}`,
            )
          }
          onExport={(format: ReportFormat, anonymise: boolean) =>
            void call('Exporting the report', async () => {
              const file = await api.exportReport({
                caseId: selected.caseId,
                format,
                anonymise,
                // The audit trail names who exported the patient's report, when a reader is set.
                ...(who ? { reader: who } : {}),
              });
              setCaseExports((list) => [file, ...list]);
              // Only the latest export's links on screen: a session's folder holds case reports
              // of the same names, which would read as a second copy of each.
              setSessionExports([]);
            })
          }
        />
      )}
      {summary && session && (
        <SessionSummaryView
          summary={summary}
          exported={sessionExports}
          busy={busy}
          onExport={(anonymise) =>
            void call('Exporting the session', async () => {
              await recordTimeSoFar();
              setSessionExports(
                await api.exportSession({ sessionId: session.sessionId, anonymise }),
              );
              setCaseExports([]);
            })
          }
        />
      )}
    </div>
  );
}

/**
 * The stored case as the viewer shows it, under the title the worklist gives it (the engine's view
 * is named after its coronal image file), so the reader sees which case is on screen.
 */
function withStoredTitle(opened: StoredCaseView, title: string | null): StoredCaseView {
  return title ? { ...opened, view: { ...opened.view, title } } : opened;
}
