/**
 * The workstation window: toolbar, the coronal and transverse viewers side by side, the estimate
 * and comparison/explain side panel, the status bar and the errors panel. State that changes at
 * pointer rate (the masks) lives in refs and is edited in place by the viewers; React state holds
 * what the panels show.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import type {
  CaseView,
  Estimate,
  EstimateRequest,
  Explanation,
  ExplainRequest,
  Masks,
  OpenCaseRequest,
  Patient,
  SpvApi,
  Status,
  ViewName,
} from '../src/api';
import { measureMask } from '../src/imaging/measure';
import { decodeMaskRle, encodeMaskRle } from '../src/imaging/mask-codec';
import { ApiCallError } from './api-client';
import { CalibrationDialog } from './components/CalibrationDialog';
import { ComparisonPanel, VolumeSummary, type MeasuredLengths } from './components/ComparisonPanel';
import { ErrorsPanel, type UiError } from './components/ErrorsPanel';
import { ExplainPanel } from './components/ExplainPanel';
import { OpenCaseDialog } from './components/OpenCaseDialog';
import { StatusBar } from './components/StatusBar';
import { Toolbar } from './components/Toolbar';
import { caliperMm, nextCaliperKind, placeCaliper, type Caliper } from './editing/calipers';
import { diffMasks, type MaskDelta } from './editing/delta';
import { EditHistory } from './editing/history';
import { fillMaskHoles, keepLargestIsland, smoothMask } from './editing/morphology';
import { maskCentroidMm, type OverlayMode } from './editing/overlay';
import { LiveRequest, type LiveState } from './live-estimate';
import { shortcutFor } from './shortcuts';
import { reconstructionCanvas } from './viewer/image-adjust';
import type { Tool, ViewMasks } from './viewer/types';
import { ViewerPane, type ReconstructionPlacement } from './viewer/ViewerPane';
import { ShellBridge } from './shell';
import { ReviewPanel } from './review/ReviewPanel';

type MaskSet = Partial<Record<ViewName, ViewMasks>>;
type Tab = 'compare' | 'explain' | 'review';
const SIDE_TABS: readonly (readonly [Tab, string])[] = [
  ['compare', 'Comparison'],
  ['explain', 'Explain'],
  ['review', 'Review'],
];

/** A case opened from the store: the engine's view plus the masks already stored. */
interface OpenedCase {
  view: CaseView;
  aiMasks: Masks | null;
  currentMasks: Masks | null;
}
const OVERLAY_MODES: OverlayMode[] = ['fill', 'outline', 'compare'];

/** Stroke end → estimate shown, kept for `npm run bench:ui` (read through the page, never shown). */
declare global {
  interface Window {
    spvPerf?: { estimateLatenciesMs: number[]; engineMs: number[] };
  }
}

function useLive<T>(live: {
  subscribe(l: (s: LiveState<T>) => void): () => void;
  current: LiveState<T>;
}): LiveState<T> {
  const [state, setState] = useState(live.current);
  useEffect(() => live.subscribe(setState), [live]);
  return state;
}

export interface AppProps {
  api: SpvApi;
  /** Open this sample at start (the bundled sample on first start); null opens nothing. */
  initialSample: { sampleId: string | null } | null;
  shell: ShellBridge | null;
}

export function App({ api, initialSample, shell }: AppProps): JSX.Element {
  const [status, setStatus] = useState<Status | null>(null);
  const [caseView, setCaseView] = useState<CaseView | null>(null);
  const masksRef = useRef<MaskSet>({});
  const [maskVersion, setMaskVersion] = useState(0);
  const historyRef = useRef(new EditHistory<ViewName>(100));
  const [tool, setTool] = useState<Tool>('brush');
  const [brushMm, setBrushMm] = useState(8);
  const [overlayVisible, setOverlayVisible] = useState(true);
  const [overlayMode, setOverlayMode] = useState<OverlayMode>('fill');
  const [opacity, setOpacity] = useState(0.35);
  const [brightness, setBrightness] = useState(1);
  const [contrast, setContrast] = useState(1);
  const [panning, setPanning] = useState(false);
  const [activeView, setActiveView] = useState<ViewName>('coronal');
  const [calipers, setCalipers] = useState<Record<ViewName, Caliper[]>>({
    coronal: [],
    transverse: [],
  });
  const [calibrationLine, setCalibrationLine] = useState<{
    view: ViewName;
    a: [number, number];
    b: [number, number];
  } | null>(null);
  const [calibrating, setCalibrating] = useState(false);
  const [patient, setPatient] = useState<Patient>({ ageYears: null, sex: null, heightCm: null });
  const [errors, setErrors] = useState<UiError[]>([]);
  const [openDialog, setOpenDialog] = useState(false);
  const [tab, setTab] = useState<Tab>('compare');
  const [showRecon, setShowRecon] = useState(false);
  const [fitSignal, setFitSignal] = useState(0);
  const [message, setMessage] = useState('');
  const [inferenceNote, setInferenceNote] = useState<string | null>(null);
  const errorId = useRef(0);

  const pushError = useCallback((source: string, err: unknown) => {
    const code = err instanceof ApiCallError ? err.code : 'internal';
    const text = err instanceof Error ? err.message : String(err);
    setErrors((list) => [
      ...list.slice(-19),
      { id: ++errorId.current, source, code, message: text },
    ]);
  }, []);

  // The latest values the request builders need, read when a request is actually sent.
  const latest = useRef({ caseView, patient, calipers });
  latest.current = { caseView, patient, calipers };

  const estimator = useMemo(
    () =>
      new LiveRequest<EstimateRequest, Estimate>(
        (req) => api.estimate(req),
        (err) => pushError('Estimate', err),
      ),
    [api, pushError],
  );
  const explainer = useMemo(
    () =>
      new LiveRequest<ExplainRequest, Explanation>(
        (req) => api.explain(req),
        (err) => pushError('Explain', err),
      ),
    [api, pushError],
  );
  const estimate = useLive(estimator);
  const explanation = useLive(explainer);

  const lastReceived = useRef<number | null>(null);
  useEffect(() => {
    // One entry per answer shown (the state also changes when a new request starts).
    if (
      estimate.value &&
      estimate.requestedAt !== null &&
      estimate.receivedAt !== null &&
      estimate.receivedAt !== lastReceived.current
    ) {
      lastReceived.current = estimate.receivedAt;
      window.spvPerf ??= { estimateLatenciesMs: [], engineMs: [] };
      window.spvPerf.estimateLatenciesMs.push(estimate.receivedAt - estimate.requestedAt);
      window.spvPerf.engineMs.push(estimate.value.elapsedMs);
    }
  }, [estimate]);

  const coronalCalibrated = caseView?.coronal.calibration != null;

  const currentMasks = useCallback((): EstimateRequest['masks'] | null => {
    const cv = latest.current.caseView;
    const cor = masksRef.current.coronal;
    if (!cv || !cor) return null;
    const tr = masksRef.current.transverse;
    // The transverse view joins (dual-view model) only when it too is calibrated.
    const useTransverse = tr && cv.transverse?.calibration;
    return {
      coronal: encodeMaskRle(cor.current, cor.width, cor.height),
      transverse: useTransverse ? encodeMaskRle(tr.current, tr.width, tr.height) : null,
    };
  }, []);

  const caliperLengthsCm = useCallback((all: Record<ViewName, Caliper[]>, cv: CaseView | null) => {
    const out: { length?: number; width?: number; thickness?: number } = {};
    if (!cv) return out;
    for (const view of ['coronal', 'transverse'] as const) {
      const cal = view === 'coronal' ? cv.coronal.calibration : cv.transverse?.calibration;
      if (!cal) continue;
      for (const c of all[view]) out[c.kind] = caliperMm(c, cal.spacingX, cal.spacingY) / 10;
    }
    return out;
  }, []);

  const scheduleEstimate = useCallback(() => {
    const cv = latest.current.caseView;
    if (!cv || !cv.coronal.calibration || !masksRef.current.coronal) return;
    estimator.schedule(() => {
      const masks = currentMasks();
      const { patient: pat, calipers: cals, caseView: view } = latest.current;
      const caliperLengths = caliperLengthsCm(cals, view);
      return {
        caseId: cv.caseId,
        masks: masks ?? { coronal: { width: 1, height: 1, runs: [1] } },
        patient: pat,
        caliperLengths: Object.keys(caliperLengths).length > 0 ? caliperLengths : null,
        // The lines themselves too: a stored case keeps them for its report.
        caliperLines: (['coronal', 'transverse'] as const).flatMap((v) =>
          cals[v].map((c) => ({ view: v, kind: c.kind, a: c.a, b: c.b })),
        ),
      };
    });
  }, [estimator, currentMasks, caliperLengthsCm]);

  const scheduleExplain = useCallback(() => {
    const cv = latest.current.caseView;
    if (!cv || !cv.coronal.calibration || !masksRef.current.coronal) return;
    explainer.schedule(() => ({
      caseId: cv.caseId,
      masks: currentMasks() ?? { coronal: { width: 1, height: 1, runs: [1] } },
    }));
  }, [explainer, currentMasks]);

  // Explanations follow the estimate while the explain tab or the reconstruction is shown.
  useEffect(() => {
    if ((tab === 'explain' || showRecon) && estimate.value) scheduleExplain();
  }, [estimate.value, tab, showRecon, scheduleExplain]);

  // ---- opening cases -------------------------------------------------------------------------
  const loadCase = useCallback(
    async (source: string, open: () => Promise<CaseView | OpenedCase>) => {
      setOpenDialog(false);
      setMessage(`Opening ${source}…`);
      try {
        const opened = await open();
        const {
          view: cv,
          aiMasks,
          currentMasks,
        } = 'view' in opened ? opened : { view: opened, aiMasks: null, currentMasks: null };
        estimator.reset();
        explainer.reset();
        historyRef.current.clear();
        masksRef.current = {};
        setCalipers({ coronal: [], transverse: [] });
        setCalibrationLine(null);
        setCaseView(cv);
        latest.current.caseView = cv;
        setFitSignal((n) => n + 1);
        const views: ViewName[] = cv.transverse ? ['coronal', 'transverse'] : ['coronal'];
        // A stored case brings its AI and last saved masks; a new case is segmented now.
        const segmented = await Promise.all(
          views.map((view) => aiMasks?.[view] ?? api.segment({ caseId: cv.caseId, view })),
        );
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
        setMaskVersion((n) => n + 1);
        setMessage(`${cv.title} opened`);
        scheduleEstimate();
      } catch (err) {
        setMessage('');
        pushError(`Open ${source}`, err);
      }
    },
    [api, estimator, explainer, pushError, scheduleEstimate],
  );

  const openSample = useCallback(
    (id: string | null) => loadCase(id ?? 'sample', () => api.openSample({ sampleId: id })),
    [api, loadCase],
  );
  const openFiles = useCallback(
    (req: OpenCaseRequest) => loadCase(req.coronalPath, () => api.openCase(req)),
    [api, loadCase],
  );

  useEffect(() => {
    api.getStatus().then(
      (s) => setStatus(s),
      (err) => pushError('Status', err),
    );
    // Once per window: the bundled sample opens on the first start; later starts show the open dialog.
    if (initialSample) void openSample(initialSample.sampleId);
    else setOpenDialog(true);
  }, []);

  useEffect(() => {
    if (!shell) return;
    return shell.onCommand((command) => {
      if (command.type === 'open-case') void openFiles(command.request);
      else if (command.type === 'open-dialog') setOpenDialog(true);
      else if (command.type === 'inference-status') setInferenceNote(command.message);
      else if (command.type === 'export') exportCurrent();
    });
  });

  // ---- editing -------------------------------------------------------------------------------
  const afterMaskChange = useCallback(() => {
    setMaskVersion((n) => n + 1);
    scheduleEstimate();
  }, [scheduleEstimate]);

  const onStrokeEnd = useCallback(
    (view: ViewName, delta: MaskDelta) => {
      historyRef.current.push({ target: view, delta });
      // The viewer already redrew its overlay; the panels need the new version and estimate.
      afterMaskChange();
    },
    [afterMaskChange],
  );

  const maskFor = (view: ViewName): Uint8Array => {
    const m = masksRef.current[view];
    if (!m) throw new Error(`No mask for the ${view} view`);
    return m.current;
  };
  const undo = () => historyRef.current.undo(maskFor) && afterMaskChange();
  const redo = () => historyRef.current.redo(maskFor) && afterMaskChange();

  /** Applies a whole-mask operation to the active view as one undoable step. */
  const applyWhole = (name: string, op: (m: Uint8Array, w: number, h: number) => Uint8Array) => {
    const view = masksRef.current[activeView] ? activeView : 'coronal';
    const m = masksRef.current[view];
    if (!m) return;
    const next = op(m.current, m.width, m.height);
    const delta = diffMasks(m.current, next);
    if (!delta) {
      setMessage(`${name}: nothing to change`);
      return;
    }
    m.current.set(next);
    historyRef.current.push({ target: view, delta });
    setMessage(`${name} on the ${view} mask`);
    afterMaskChange();
  };
  const smoothRadiusPx = () => {
    const cal =
      activeView === 'coronal' ? caseView?.coronal.calibration : caseView?.transverse?.calibration;
    return cal ? Math.max(1, Math.round(1.5 / cal.spacingX)) : 2;
  };

  const resetToAi = () => {
    for (const view of ['coronal', 'transverse'] as const) {
      const m = masksRef.current[view];
      if (!m) continue;
      const delta = diffMasks(m.current, m.ai);
      if (!delta) continue;
      m.current.set(m.ai);
      historyRef.current.push({ target: view, delta });
    }
    afterMaskChange();
  };

  // ---- calipers and calibration -----------------------------------------------------------
  const onCaliper = (view: ViewName, a: [number, number], b: [number, number]) => {
    setCalipers((all) => {
      const next = {
        ...all,
        [view]: placeCaliper(all[view], { kind: nextCaliperKind(view, all[view]), a, b }),
      };
      latest.current.calipers = next;
      return next;
    });
    scheduleEstimate();
  };

  const uncalibratedView: ViewName | null = !caseView
    ? null
    : !caseView.coronal.calibration
      ? 'coronal'
      : caseView.transverse && !caseView.transverse.calibration
        ? 'transverse'
        : null;
  const effectiveTool: Tool = uncalibratedView && tool !== 'pan' ? 'calibrate' : tool;

  const applyCalibration = async (distanceMm: number) => {
    if (!caseView || !calibrationLine) return;
    setCalibrating(true);
    try {
      const cv = await api.calibrate({
        caseId: caseView.caseId,
        view: calibrationLine.view,
        pointA: calibrationLine.a,
        pointB: calibrationLine.b,
        distanceMm,
      });
      setCaseView(cv);
      latest.current.caseView = cv;
      setCalibrationLine(null);
      setMessage(`${calibrationLine.view} calibrated`);
      scheduleEstimate();
    } catch (err) {
      pushError('Calibrate', err);
    } finally {
      setCalibrating(false);
    }
  };

  // ---- export (menu) -------------------------------------------------------------------------
  const exportCurrent = () => {
    const cv = latest.current.caseView;
    const masks = currentMasks();
    if (!cv || !masks) return pushError('Export', new Error('Open a case before exporting.'));
    const payload = {
      caseId: cv.caseId,
      title: cv.title,
      exportedAt: new Date().toISOString(),
      estimate: estimator.current.value,
      masks,
    };
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(payload, null, 1)], { type: 'application/json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = `${cv.caseId}-estimate.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  // ---- keyboard ------------------------------------------------------------------------------
  useEffect(() => {
    // Shortcuts stay active on buttons, checkboxes and sliders, but not where the reader types.
    const isTyping = (t: EventTarget | null) =>
      (t instanceof HTMLInputElement &&
        !['checkbox', 'radio', 'range', 'button'].includes(t.type)) ||
      t instanceof HTMLTextAreaElement ||
      t instanceof HTMLSelectElement;
    const down = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      if (e.key === ' ') {
        e.preventDefault();
        setPanning(true);
        return;
      }
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      switch (action) {
        case 'undo':
          return void undo();
        case 'redo':
          return void redo();
        case 'open':
          return setOpenDialog(true);
        case 'brush-smaller':
          return setBrushMm((v) => Math.max(1, v - 1));
        case 'brush-larger':
          return setBrushMm((v) => Math.min(60, v + 1));
        case 'fit':
          return setFitSignal((n) => n + 1);
        case 'fill-holes':
          return applyWhole('Fill holes', fillMaskHoles);
        case 'smooth':
          return applyWhole('Smooth', (m, w, h) => smoothMask(m, w, h, smoothRadiusPx()));
        case 'keep-largest':
          return applyWhole('Keep largest island', keepLargestIsland);
        case 'toggle-overlay':
          return setOverlayVisible((v) => !v);
        case 'cycle-overlay':
          return setOverlayMode(
            (m) => OVERLAY_MODES[(OVERLAY_MODES.indexOf(m) + 1) % OVERLAY_MODES.length],
          );
        case 'toggle-reconstruction':
          return setShowRecon((v) => !v);
        default:
          setTool(action.slice('tool-'.length) as Tool);
      }
    };
    const up = (e: KeyboardEvent) => {
      if (e.key === ' ') setPanning(false);
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  });

  // ---- derived display values ---------------------------------------------------------------
  const lengths: MeasuredLengths = useMemo(() => {
    const out: MeasuredLengths = {
      mask: { length: null, width: null, thickness: null, craniocaudal: null },
      caliper: caliperLengthsCm(calipers, caseView),
    };
    const cor = masksRef.current.coronal;
    const corCal = caseView?.coronal.calibration;
    if (cor && corCal) {
      const m = measureMask(cor.current, cor.width, cor.height, {
        x: corCal.spacingX,
        y: corCal.spacingY,
      });
      if (m) {
        out.mask.length = m.lengthMm / 10;
        out.mask.craniocaudal = m.craniocaudalMm / 10;
      }
    }
    const tr = masksRef.current.transverse;
    const trCal = caseView?.transverse?.calibration;
    if (tr && trCal) {
      const m = measureMask(tr.current, tr.width, tr.height, {
        x: trCal.spacingX,
        y: trCal.spacingY,
      });
      if (m) {
        out.mask.width = m.lengthMm / 10;
        out.mask.thickness = m.widthMm / 10;
      }
    }
    return out;
    // maskVersion: the masks are edited in place, the version says when.
  }, [caseView, calipers, maskVersion, caliperLengthsCm]);

  const reconstructionFor = (view: ViewName): ReconstructionPlacement | null => {
    const e = explanation.value;
    const m = masksRef.current[view];
    const cal =
      view === 'coronal' ? caseView?.coronal.calibration : caseView?.transverse?.calibration;
    if (!showRecon || !e || !m || !cal) return null;
    const rec = e.reconstruction.find((r) => r.view === view);
    const centre = maskCentroidMm(m.current, m.width, m.height, cal.spacingX, cal.spacingY);
    if (!rec || !centre) return null;
    const extentMm = rec.size * e.gridSpacingMm;
    return {
      canvas: reconstructionCanvas(rec.values, rec.size),
      x: (centre[0] - extentMm / 2) / cal.spacingX,
      y: (centre[1] - extentMm / 2) / cal.spacingY,
      width: extentMm / cal.spacingX,
      height: extentMm / cal.spacingY,
    };
  };

  const views: ViewName[] = caseView?.transverse ? ['coronal', 'transverse'] : ['coronal'];
  const activeCal =
    activeView === 'coronal' ? caseView?.coronal.calibration : caseView?.transverse?.calibration;

  return (
    <div className="app">
      <Toolbar
        tool={tool}
        onTool={setTool}
        calibrating={uncalibratedView !== null}
        brushMm={brushMm}
        onBrushMm={(v) => setBrushMm(Math.min(60, Math.max(1, v)))}
        calibrated={activeCal != null}
        overlayMode={overlayMode}
        onOverlayMode={setOverlayMode}
        overlayVisible={overlayVisible}
        onOverlayVisible={setOverlayVisible}
        opacity={opacity}
        onOpacity={setOpacity}
        brightness={brightness}
        onBrightness={setBrightness}
        contrast={contrast}
        onContrast={setContrast}
        canUndo={historyRef.current.canUndo}
        canRedo={historyRef.current.canRedo}
        onUndo={undo}
        onRedo={redo}
        onSmooth={() => applyWhole('Smooth', (m, w, h) => smoothMask(m, w, h, smoothRadiusPx()))}
        onFillHoles={() => applyWhole('Fill holes', fillMaskHoles)}
        onKeepLargest={() => applyWhole('Keep largest island', keepLargestIsland)}
        onResetToAi={resetToAi}
        onFit={() => setFitSignal((n) => n + 1)}
        onOpen={() => setOpenDialog(true)}
      />
      <main className="workspace">
        <div className="viewers">
          {caseView ? (
            views.map((view) => {
              const image = view === 'coronal' ? caseView.coronal : caseView.transverse;
              if (!image) return null;
              return (
                <ViewerPane
                  key={`${caseView.caseId}-${view}`}
                  view={view}
                  image={image}
                  masks={masksRef.current[view] ?? null}
                  maskVersion={maskVersion}
                  overlay={{ mode: overlayMode, opacity, visible: overlayVisible }}
                  tool={
                    uncalibratedView === view
                      ? effectiveTool
                      : tool === 'calibrate'
                        ? 'brush'
                        : tool
                  }
                  panning={panning}
                  brushMm={brushMm}
                  brightness={brightness}
                  contrast={contrast}
                  calipers={calipers[view]}
                  calibrationLine={
                    calibrationLine?.view === view ? [calibrationLine.a, calibrationLine.b] : null
                  }
                  reconstruction={reconstructionFor(view)}
                  fitSignal={fitSignal}
                  onStrokeEnd={onStrokeEnd}
                  onCaliper={onCaliper}
                  onCalibrationLine={(v, a, b) => setCalibrationLine({ view: v, a, b })}
                  onActivate={setActiveView}
                />
              );
            })
          ) : (
            <div className="empty">
              {initialSample ? 'Opening the bundled sample…' : 'Open a case (Ctrl+O).'}
            </div>
          )}
        </div>
        <aside className="side">
          {caseView && <h1 className="case-title">{caseView.title}</h1>}
          {uncalibratedView && (
            <CalibrationDialog
              view={uncalibratedView}
              line={
                calibrationLine?.view === uncalibratedView
                  ? [calibrationLine.a, calibrationLine.b]
                  : null
              }
              busy={calibrating}
              onApply={applyCalibration}
            />
          )}
          <VolumeSummary
            failed={estimate.failed}
            estimate={coronalCalibrated ? estimate.value : null}
            updating={estimate.updating}
            calibrated={coronalCalibrated}
            referenceVolumeMl={caseView?.referenceVolumeMl ?? null}
          />
          <nav className="tabs">
            {SIDE_TABS.map(([id, label]) => (
              <button
                key={id}
                type="button"
                className={tab === id ? 'active' : ''}
                data-testid={`tab-${id}`}
                onClick={() => setTab(id)}
              >
                {label}
              </button>
            ))}
          </nav>
          {tab === 'compare' && (
            <ComparisonPanel
              estimate={coronalCalibrated ? estimate.value : null}
              updating={estimate.updating}
              calibrated={coronalCalibrated}
              lengths={lengths}
              patient={patient}
              onPatient={(p) => {
                setPatient(p);
                latest.current.patient = p;
                scheduleEstimate();
              }}
              referenceVolumeMl={caseView?.referenceVolumeMl ?? null}
            />
          )}
          {tab === 'explain' && (
            <ExplainPanel
              explanation={explanation.value}
              loading={explanation.updating}
              showReconstruction={showRecon}
              onShowReconstruction={setShowRecon}
              onRefresh={scheduleExplain}
              calibrated={coronalCalibrated}
            />
          )}
          {/* Kept mounted so the reader, session and worklist survive a look at the other tabs. */}
          <div hidden={tab !== 'review'} data-testid="review-tab">
            <ReviewPanel
              api={api}
              onOpenCase={(caseId, opened) =>
                void loadCase(`stored case ${caseId}`, async () => ({
                  view: opened.view,
                  aiMasks: opened.aiMasks,
                  currentMasks: opened.currentMasks,
                }))
              }
            />
          </div>
        </aside>
      </main>
      <ErrorsPanel
        errors={errors}
        onDismiss={(id) =>
          setErrors((list) => (id === 'all' ? [] : list.filter((e) => e.id !== id)))
        }
      />
      <StatusBar status={status} inference={inferenceNote} message={message} />
      {openDialog && (
        <OpenCaseDialog
          sampleIds={status?.sampleCaseIds ?? []}
          onOpenSample={(id) => void openSample(id)}
          onOpenCase={(r) => void openFiles(r)}
          onClose={() => setOpenDialog(false)}
        />
      )}
    </div>
  );
}
