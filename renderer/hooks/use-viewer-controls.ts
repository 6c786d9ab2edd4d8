/**
 * How the viewers show and edit, as the toolbar and the keyboard set it: the tool and brush size,
 * the overlay, brightness and contrast, panning (space held), the active view, the reconstruction
 * over the images, and the signal that fits the images to their panes. On a read-only case the
 * tool is Pan (a drag looks around instead of being refused); the editing tool it displaced comes
 * back when the case can be edited again, unless the reader chose another tool meanwhile.
 */
import { useCallback, useState } from 'react';
import type { CaseView, ViewName } from '../../src/api';
import type { OverlayMode } from '../editing/overlay';
import { EDITING_TOOLS } from '../viewer/read-only-gestures';
import type { Tool } from '../viewer/types';

const OVERLAY_MODES: OverlayMode[] = ['fill', 'outline', 'compare'];
const clampBrushMm = (mm: number) => Math.min(60, Math.max(1, mm));

export interface ViewerControls {
  tool: Tool;
  setTool(tool: Tool): void;
  brushMm: number;
  /** Sets the brush diameter, kept within 1–60 mm. */
  setBrushMm(mm: number): void;
  nudgeBrushMm(stepMm: number): void;
  overlayVisible: boolean;
  setOverlayVisible(visible: boolean): void;
  toggleOverlay(): void;
  overlayMode: OverlayMode;
  setOverlayMode(mode: OverlayMode): void;
  cycleOverlayMode(): void;
  opacity: number;
  setOpacity(opacity: number): void;
  brightness: number;
  setBrightness(brightness: number): void;
  contrast: number;
  setContrast(contrast: number): void;
  panning: boolean;
  setPanning(panning: boolean): void;
  activeView: ViewName;
  setActiveView(view: ViewName): void;
  showRecon: boolean;
  setShowRecon(show: boolean): void;
  toggleRecon(): void;
  /** Changes on every request to fit the images; the viewers fit when it does. */
  fitSignal: number;
  fit(): void;
}

/**
 * `caseView` is the open case: when one opens without the active view (a coronal-only case after
 * working on a transverse image), the coronal view becomes active, so that the toolbar and the
 * mask tools do not act on a view the case does not have. `readOnly` is why the case may not be
 * edited (null: it may).
 */
export function useViewerControls(
  caseView: CaseView | null = null,
  readOnly: string | null = null,
): ViewerControls {
  const [tool, setToolState] = useState<Tool>('brush');
  // The editing tool a read-only case put aside for Pan: back once the case may be edited.
  const [displaced, setDisplaced] = useState<Tool | null>(null);
  const [brushMm, setBrush] = useState(8);
  const [overlayVisible, setOverlayVisible] = useState(true);
  const [overlayMode, setOverlayMode] = useState<OverlayMode>('fill');
  const [opacity, setOpacity] = useState(0.35);
  const [brightness, setBrightness] = useState(1);
  const [contrast, setContrast] = useState(1);
  const [panning, setPanning] = useState(false);
  const [activeView, setActiveView] = useState<ViewName>('coronal');
  const [showRecon, setShowRecon] = useState(false);
  const [fitSignal, setFitSignal] = useState(0);

  // Adjusted while rendering (React's pattern for state that follows a prop), so no frame shows
  // the stale view as active.
  if (activeView === 'transverse' && caseView && !caseView.transverse) setActiveView('coronal');
  // The same for the tool: an editing tool is never the armed one on a read-only case (the toolbar
  // shows it disabled, so it must not also look selected, and its every gesture would be refused).
  if (readOnly !== null && EDITING_TOOLS.has(tool)) {
    setDisplaced(tool);
    setToolState('pan');
  } else if (readOnly === null && displaced !== null) {
    if (tool === 'pan') setToolState(displaced);
    setDisplaced(null);
  }
  /** The reader's own choice: nothing put aside comes back over it. */
  const setTool = useCallback((next: Tool) => {
    setDisplaced(null);
    setToolState(next);
  }, []);

  const setBrushMm = useCallback((mm: number) => setBrush(clampBrushMm(mm)), []);
  const nudgeBrushMm = useCallback(
    (stepMm: number) => setBrush((mm) => clampBrushMm(mm + stepMm)),
    [],
  );
  const toggleOverlay = useCallback(() => setOverlayVisible((v) => !v), []);
  const cycleOverlayMode = useCallback(
    () =>
      setOverlayMode((m) => OVERLAY_MODES[(OVERLAY_MODES.indexOf(m) + 1) % OVERLAY_MODES.length]),
    [],
  );
  const toggleRecon = useCallback(() => setShowRecon((v) => !v), []);
  const fit = useCallback(() => setFitSignal((n) => n + 1), []);

  return {
    tool,
    setTool,
    brushMm,
    setBrushMm,
    nudgeBrushMm,
    overlayVisible,
    setOverlayVisible,
    toggleOverlay,
    overlayMode,
    setOverlayMode,
    cycleOverlayMode,
    opacity,
    setOpacity,
    brightness,
    setBrightness,
    contrast,
    setContrast,
    panning,
    setPanning,
    activeView,
    setActiveView,
    showRecon,
    setShowRecon,
    toggleRecon,
    fitSignal,
    fit,
  };
}
