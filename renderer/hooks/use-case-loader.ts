/**
 * Opening a case: a bundled sample, image files, or a stored case from the review panel. The case
 * is shown as soon as the engine has it; its masks follow (a stored case brings its AI and last
 * saved masks, a new case is segmented now), and then the first estimate is asked for. Only the
 * newest opening goes on after each wait: a reader who opens B while A is still being segmented
 * must not get A's masks (or its error) on B. A stored case opened from the review panel takes its
 * place in that order when the reader asks for it (`claimOpening`), not when the store answers; the
 * opening it overtakes is dropped then, so the status line says from then on what the viewer waits
 * for, and what failed if the store refuses the case.
 */
import { useCallback, type RefObject } from 'react';
import type {
  CaliperLine,
  CaseView,
  Masks,
  OpenCaseRequest,
  Patient,
  SpvApi,
  StoredCaseView,
} from '../../src/api';
import { decodeMaskRle } from '../../src/imaging/mask-codec';
import { viewsOf } from '../case-views';
import type { MaskSet } from '../viewer/types';
import { useNewest } from './use-newest';

/** A stored case in the viewer: whose edits are saved, and the inputs its latest estimate used. */
export interface StoredCaseShown {
  caseId: string;
  /** The case's title as the worklist shows it (the viewer's title). */
  title: string;
  reader: string;
  patient: Patient | null;
  caliperLines: readonly CaliperLine[];
  /**
   * Signed off when it was opened: the store refuses its changes until it is unlocked (with a
   * reason), so the viewer refuses them too instead of letting the reader draw work that is lost.
   */
  locked: boolean;
}

/**
 * Why the viewer's case cannot be edited (shown when an edit is refused), or null when it can: a
 * signed-off stored case is read-only until the Review tab unlocks it, which opens it again.
 */
export function readOnlyReason(stored: StoredCaseShown | null): string | null {
  return stored?.locked
    ? `${stored.title} is signed off: unlock it with a reason in the Review tab to change it`
    : null;
}

/**
 * A stored case's place among the viewer's openings, taken when the reader asked for it. Calling it
 * says whether it is still the newest opening.
 */
export interface OpeningClaim {
  (): boolean;
  /**
   * The store refused the case: the status line says so (instead of "Opening …" for an opening that
   * will never come), unless a later opening has the viewer by now.
   */
  failed(err: unknown): void;
}

/** A case opened from the store: the engine's view plus the masks already stored. */
interface OpenedCase {
  view: CaseView;
  aiMasks: Masks | null;
  currentMasks: Masks | null;
  stored: StoredCaseShown | null;
}

export interface CaseLoader {
  /** Each opening resolves to false when it failed (see openFiles). */
  openSample(sampleId: string | null): Promise<boolean>;
  /**
   * Resolves to false when the opening failed (its error is in the errors panel), so that what
   * the reader typed can be offered again; true otherwise (opened, or overtaken by a later one).
   */
  openFiles(req: OpenCaseRequest): Promise<boolean>;
  /**
   * Shows a stored case that `claim` (from claimOpening, taken when the reader asked) still owns;
   * `reader` is whom its edits are saved under.
   */
  openStoredCase(
    caseId: string,
    opened: StoredCaseView,
    reader?: string,
    claim?: () => boolean,
  ): Promise<boolean>;
  /**
   * Takes a place among the openings now for stored case `caseId`, dropping any opening in
   * progress: call it only once the opening will be asked of the store.
   */
  claimOpening(caseId: string): OpeningClaim;
}

export function useCaseLoader({
  api,
  masksRef,
  showCase,
  masksLoaded,
  closeOpenDialog,
  setMessage,
  pushError,
}: {
  api: SpvApi;
  masksRef: RefObject<MaskSet>;
  /**
   * Leaves the previous case behind and shows this one, before its masks are in; `stored` when it
   * is a stored case (its inputs are restored, its edits saved).
   */
  showCase(cv: CaseView, stored?: StoredCaseShown | null): void;
  /** The masks are in `masksRef`: redraw and estimate. */
  masksLoaded(): void;
  closeOpenDialog(): void;
  setMessage(message: string): void;
  pushError(source: string, err: unknown): void;
}): CaseLoader {
  const startOpening = useNewest();
  const loadCase = useCallback(
    async (
      source: string,
      open: () => Promise<CaseView | OpenedCase>,
      claim?: () => boolean,
    ): Promise<boolean> => {
      // An opening claimed earlier that a later one overtook shows nothing.
      if (claim && !claim()) return true;
      const isNewest = startOpening();
      closeOpenDialog();
      setMessage(`Opening ${source}…`);
      try {
        const opened = await open();
        if (!isNewest()) return true;
        const {
          view: cv,
          aiMasks,
          currentMasks,
          stored,
        } = 'view' in opened
          ? opened
          : { view: opened, aiMasks: null, currentMasks: null, stored: null };
        showCase(cv, stored);
        const views = viewsOf(cv);
        // A stored case brings its AI and last saved masks; a new case is segmented now.
        const segmented = await Promise.all(
          views.map((view) => aiMasks?.[view] ?? api.segment({ caseId: cv.caseId, view })),
        );
        if (!isNewest()) return true;
        segmented.forEach((rle, k) => {
          const ai = decodeMaskRle(rle);
          const saved = currentMasks?.[views[k]];
          masksRef.current[views[k]] = {
            width: rle.width,
            height: rle.height,
            ai,
            current: saved ? decodeMaskRle(saved) : ai.slice(),
          };
        });
        setMessage(`${cv.title} opened`);
        masksLoaded();
        return true;
      } catch (err) {
        if (!isNewest()) return true;
        setMessage('');
        pushError(openingErrorSource(source, err), err);
        return false;
      }
    },
    [api, masksRef, showCase, masksLoaded, closeOpenDialog, setMessage, pushError, startOpening],
  );

  const openSample = useCallback(
    (id: string | null) => loadCase(id ?? 'sample', () => api.openSample({ sampleId: id })),
    [api, loadCase],
  );
  const openFiles = useCallback(
    (req: OpenCaseRequest) => loadCase(req.coronalPath, () => api.openCase(req)),
    [api, loadCase],
  );
  const openStoredCase = useCallback(
    (caseId: string, opened: StoredCaseView, reader?: string, claim?: () => boolean) =>
      loadCase(
        storedSource(caseId),
        async () => ({
          view: opened.view,
          aiMasks: opened.aiMasks,
          currentMasks: opened.currentMasks,
          stored: reader
            ? {
                caseId,
                title: opened.view.title,
                reader,
                patient: opened.patient ?? null,
                caliperLines: opened.caliperLines ?? [],
                locked: opened.locked,
              }
            : null,
        }),
        claim,
      ),
    [loadCase],
  );

  const claimOpening = useCallback(
    (caseId: string): OpeningClaim => {
      const isNewest = startOpening();
      setMessage(`Opening ${storedSource(caseId)}…`);
      const failed = (err: unknown) => {
        if (!isNewest()) return;
        const why = err instanceof Error ? err.message : String(err);
        setMessage(`Could not open ${storedSource(caseId)}: ${why}`);
      };
      return Object.assign(isNewest, { failed });
    },
    [setMessage, startOpening],
  );

  return { openSample, openFiles, openStoredCase, claimOpening };
}

/**
 * The errors panel's source for an opening that failed: "Open <file>", or only "Open" where the
 * message begins with the file already ("<path>: the file has 3 frames…", as the service says a
 * file's fault), lest the path be read twice.
 */
export function openingErrorSource(source: string, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.startsWith(`${source}:`) ? 'Open' : `Open ${source}`;
}

/** How the status line and the errors name a stored case being opened. */
function storedSource(caseId: string): string {
  return `stored case ${caseId}`;
}
