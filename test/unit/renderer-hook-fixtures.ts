/** Small cases for the renderer's hook tests. */
import type { CaseView } from '../../src/api';

/** A one-view 4×2 case with no calibration. */
export function caseView(caseId: string): CaseView {
  const image = {
    view: 'coronal' as const,
    width: 4,
    height: 2,
    pngDataUrl: 'data:image/png;base64,',
    calibration: null,
    sourceName: `${caseId}.png`,
  };
  return { caseId, title: caseId, coronal: image, transverse: null, referenceVolumeMl: null };
}
