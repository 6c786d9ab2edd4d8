/**
 * Opening a case: a bundled sample, image files, or a stored case from the review panel. The case
 * is shown as soon as the engine has it; its masks follow (a stored case brings its AI and last
 * saved masks, a new case is segmented now), and then the first estimate is asked for. Only the
 * newest opening goes on after each wait: a reader who opens B while A is still being segmented
 * must not get A's masks (or its error) on B.
 */
import { useCallback, type RefObject } from 'react';
import type { CaseView, Masks, OpenCaseRequest, SpvApi, StoredCaseView } from '../../src/api';
import { decodeMaskRle } from '../../src/imaging/mask-codec';
import { viewsOf } from '../case-views';
import type { MaskSet } from '../viewer/types';
import { useNewest } from './use-newest';

/** A case opened from the store: the engine's view plus the masks already stored. */
interface OpenedCase {
  view: CaseView;
  aiMasks: Masks | null;
  currentMasks: Masks | null;
}

export interface CaseLoader {
  openSample(sampleId: string | null): Promise<void>;
  openFiles(req: OpenCaseRequest): Promise<void>;
  openStoredCase(caseId: string, opened: StoredCaseView): Promise<void>;
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
  /** Leaves the previous case behind and shows this one, before its masks are in. */
  showCase(cv: CaseView): void;
  /** The masks are in `masksRef`: redraw and estimate. */
  masksLoaded(): void;
  closeOpenDialog(): void;
  setMessage(message: string): void;
  pushError(source: string, err: unknown): void;
}): CaseLoader {
  const startOpening = useNewest();
  const loadCase = useCallback(
    async (source: string, open: () => Promise<CaseView | OpenedCase>) => {
      const isNewest = startOpening();
      closeOpenDialog();
      setMessage(`Opening ${source}…`);
      try {
        const opened = await open();
        if (!isNewest()) return;
        const {
          view: cv,
          aiMasks,
          currentMasks,
        } = 'view' in opened ? opened : { view: opened, aiMasks: null, currentMasks: null };
        showCase(cv);
        const views = viewsOf(cv);
        // A stored case brings its AI and last saved masks; a new case is segmented now.
        const segmented = await Promise.all(
          views.map((view) => aiMasks?.[view] ?? api.segment({ caseId: cv.caseId, view })),
        );
        if (!isNewest()) return;
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
      } catch (err) {
        if (!isNewest()) return;
        setMessage('');
        pushError(`Open ${source}`, err);
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
    (caseId: string, opened: StoredCaseView) =>
      loadCase(`stored case ${caseId}`, async () => ({
        view: opened.view,
        aiMasks: opened.aiMasks,
        currentMasks: opened.currentMasks,
      })),
    [loadCase],
  );

  return { openSample, openFiles, openStoredCase };
}
