/** Small cases and worklist entries for the renderer's unit tests. */
import type { CaseView } from '../../src/api';
import type { ToolbarProps } from '../../renderer/components/Toolbar';
import type { CaseStatus, CaseSummary, WorklistEntry } from '../../src/api/store-contract';

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

/** A stored, calibrated one-view case with no estimate yet. */
export function caseSummary(caseId: string, status: CaseStatus = 'new'): CaseSummary {
  return {
    caseId,
    title: `case ${caseId}`,
    patientKey: 'P',
    patientName: null,
    studyInstanceUid: null,
    studyDate: null,
    status,
    version: 1,
    views: ['coronal'],
    calibrated: true,
    volumeMl: null,
    ci95Ml: null,
    signedOffAt: null,
    signedOffBy: null,
    flagComment: null,
    estimateId: null,
    checkFirst: [],
  };
}

/** A worklist entry at position `position` for that case. */
export function worklistEntry(caseId: string, status: CaseStatus, position: number): WorklistEntry {
  return { position, timeSpentMs: 0, case: caseSummary(caseId, status) };
}

/** The toolbar's props with every handler doing nothing: the brush on a calibrated case. */
export function toolbarProps(extra: Partial<ToolbarProps> = {}): ToolbarProps {
  const noop = () => undefined;
  return {
    tool: 'brush',
    onTool: noop,
    calibrating: false,
    brushMm: 5,
    onBrushMm: noop,
    calibrated: true,
    overlayMode: 'fill',
    onOverlayMode: noop,
    overlayVisible: true,
    onOverlayVisible: noop,
    opacity: 0.5,
    onOpacity: noop,
    brightness: 1,
    onBrightness: noop,
    contrast: 1,
    onContrast: noop,
    canUndo: false,
    canRedo: false,
    onUndo: noop,
    onRedo: noop,
    onSmooth: noop,
    onFillHoles: noop,
    onKeepLargest: noop,
    onResetToAi: noop,
    onFit: noop,
    onOpen: noop,
    ...extra,
  };
}
