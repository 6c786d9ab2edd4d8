/**
 * The workstation window: toolbar, the coronal and transverse viewers side by side, the estimate
 * and comparison/explain side panel, the status bar and the errors panel. State that changes at
 * pointer rate (the masks) lives in refs and is edited in place by the viewers; React state holds
 * what the panels show. Each group of state and its handlers is a hook in ./hooks; this component
 * wires them together and lays out the window.
 */
import { refusedGesture } from './viewer/read-only-gestures';
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import type { CaseView, Estimate, OpenCaseRequest, SpvApi, Status, ViewName } from '../src/api';
import { calibrationOf, viewerTool, viewsOf } from './case-views';
import {
  CalibrationDialog,
  CalibrationPutOff,
  CalibrationRefused,
} from './components/CalibrationDialog';
import { ComparisonPanel, VolumeSummary } from './components/ComparisonPanel';
import { ErrorsPanel } from './components/ErrorsPanel';
import { ExplainPanel } from './components/ExplainPanel';
import { OpenCaseDialog } from './components/OpenCaseDialog';
import { SideTabs, type SideTab } from './components/SideTabs';
import { StatusBar } from './components/StatusBar';
import { Toolbar } from './components/Toolbar';
import { drawnKinds } from './editing/calipers';
import { downloadEstimateJson } from './export-estimate';
import { useCalibration } from './hooks/use-calibration';
import { readOnlyReason, useCaseLoader, type StoredCaseShown } from './hooks/use-case-loader';
import { useErrors } from './hooks/use-errors';
import { useEstimateInputs } from './hooks/use-estimate-inputs';
import { useKeyboardShortcuts } from './hooks/use-keyboard-shortcuts';
import { useLiveAnalysis, type StoredCaseRef } from './hooks/use-live-analysis';
import { caliperAccess, useMaskEditing } from './hooks/use-mask-editing';
import { useShellCommands } from './hooks/use-shell-commands';
import { useViewerControls } from './hooks/use-viewer-controls';
import { measuredLengths } from './measured-lengths';
import { ReadOnlyBanner } from './review/ReadOnlyBanner';
import { ReviewPanel } from './review/ReviewPanel';
import { ShellBridge } from './shell';
import { placeReconstruction } from './viewer/reconstruction-placement';
import type { MaskSet } from './viewer/types';
import { ViewerPane, type ReconstructionPlacement } from './viewer/ViewerPane';

export interface AppProps {
  api: SpvApi;
  /** Open this sample at start (the bundled sample on first start); null opens nothing. */
  initialSample: { sampleId: string | null } | null;
  shell: ShellBridge | null;
}

export function App({ api, initialSample, shell }: AppProps): JSX.Element {
  const [status, setStatus] = useState<Status | null>(null);
  const [openDialog, setOpenDialog] = useState(false);
  // A failed opening's request: the Open dialog comes back with it, nothing typed is lost.
  const [openDraft, setOpenDraft] = useState<OpenCaseRequest | null>(null);
  const [tab, setTab] = useState<SideTab>('compare');
  const [message, setMessage] = useState('');
  const [inferenceNote, setInferenceNote] = useState<string | null>(null);
  const { errors, pushError, dismissError, clearErrors } = useErrors();
  const inputs = useEstimateInputs();
  const { caseView, calipers, patient, setCaseView, restoreInputs } = inputs;
  const masksRef = useRef<MaskSet>({});
  // The stored case in the viewer (null: a sample or files): its edits are saved under its reader.
  const storedCase = useRef<StoredCaseRef | null>(null);
  // The same case for the screen: the review panel marks it, and a signed-off one is read-only.
  const [storedShown, setStoredShown] = useState<StoredCaseShown | null>(null);
  const readOnly = readOnlyReason(storedShown);
  // Given the case, the controls make the coronal view active when the case lacks the active one,
  // and arm Pan instead of an editing tool while the case is read-only.
  const controls = useViewerControls(caseView, readOnly);
  // What the status line says once stored case `caseId` is shown again (after its views swapped,
  // its sign-off or unlocking: each opens it again, and "… opened" would hide what changed).
  const noteOnOpening = useRef<{ caseId: string; message: string } | null>(null);
  /** Says `message` in the status line now and, when `reopening`, again once the case is shown. */
  const noteCaseChange = useCallback((caseId: string, message: string, reopening: boolean) => {
    noteOnOpening.current = reopening ? { caseId, message } : null;
    setMessage(message);
  }, []);
  const analysis = useLiveAnalysis(api, pushError, masksRef, inputs.latest, storedCase);
  const { estimate, explanation, scheduleEstimate, scheduleExplain } = analysis;
  const editing = useMaskEditing({
    masksRef,
    activeView: controls.activeView,
    caseView,
    setMessage,
    onMasksChanged: scheduleEstimate,
    readOnly,
    // Placing and removing a caliper are undone with the strokes, in the order made.
    calipers: caliperAccess(inputs),
  });
  const calibration = useCalibration({
    api,
    caseView,
    setCaseView,
    setMessage,
    pushError,
    onCalibrated: scheduleEstimate,
    masks: masksRef,
    readOnly,
  });

  // Another case: nothing of the previous one stays (answers, masks, history, patient inputs,
  // calipers, line).
  const { reset: resetAnalysis } = analysis;
  const { clearMasks } = editing;
  const { clearLine } = calibration;
  const { fit } = controls;
  // The previous case's edit still waiting is sent (and saved) by resetAnalysis, before its masks go.
  const showCase = useCallback(
    (cv: CaseView, stored?: StoredCaseShown | null) => {
      resetAnalysis();
      clearMasks();
      clearLine();
      setCaseView(cv);
      storedCase.current = stored
        ? { caseId: stored.caseId, reader: stored.reader, locked: stored.locked }
        : null;
      setStoredShown(stored ?? null);
      // A reopened stored case shows the reader's patient inputs (else its DICOM header's) and the
      // calipers its latest estimate used; a sample or files start with their header's inputs or
      // none: the previous case's age or sex would otherwise decide this patient's verdicts unseen.
      restoreInputs(
        stored ? stored.patient : (cv.studyPatient ?? null),
        stored?.caliperLines ?? [],
      );
      fit();
    },
    [resetAnalysis, clearMasks, clearLine, setCaseView, restoreInputs, fit],
  );
  const closeOpenDialog = useCallback(() => setOpenDialog(false), []);
  const { openSample, openFiles, openStoredCase, claimOpening } = useCaseLoader({
    api,
    masksRef,
    showCase,
    masksLoaded: editing.masksChanged,
    closeOpenDialog,
    setMessage,
    pushError,
  });
  /**
   * Opens files by path (the Open dialog, or the menu's file dialog); a failed opening brings the
   * Open dialog back with the request (a missing frame or calibration is then added, not retyped).
   */
  const openFilesKeepingDraft = useCallback(
    async (request: OpenCaseRequest) => {
      const opened = await openFiles(request);
      setOpenDraft(opened ? null : request);
      if (!opened) setOpenDialog(true);
    },
    [openFiles],
  );

  /** Waits until the viewer's edits of stored case `caseId` are saved; its estimate (if shown). */
  const { settled } = analysis;
  const settleViewer = useCallback(
    async (caseId: string): Promise<{ estimate: Estimate | null } | null> => {
      if (storedCase.current?.caseId !== caseId) return null;
      await settled();
      return { estimate: analysis.estimateNow() };
    },
    [settled, analysis.estimateNow],
  );

  const exportEstimate = () => {
    const cv = inputs.latest.current.caseView;
    const masks = analysis.currentMasks();
    if (!cv || !masks) return pushError('Export', new Error('Open a case before exporting.'));
    downloadEstimateJson(cv, masks, analysis.estimateNow());
  };

  // Explanations follow the estimate while the explain tab or the reconstruction is shown.
  useEffect(() => {
    if ((tab === 'explain' || controls.showRecon) && estimate.value) scheduleExplain();
  }, [estimate.value, tab, controls.showRecon, scheduleExplain]);

  // An estimate that came back: the estimate failures before it (an empty mask mid-redraw) were of
  // masks since changed, and would sit beside the volume now shown.
  useEffect(() => {
    if (estimate.receivedAt !== null) clearErrors('Estimate');
  }, [estimate.receivedAt, clearErrors]);

  useEffect(() => {
    api.getStatus().then(
      (s) => setStatus(s),
      (err) => pushError('Status', err),
    );
    // Once per window: the bundled sample opens on the first start; later starts show the open dialog.
    if (initialSample) void openSample(initialSample.sampleId);
    else setOpenDialog(true);
  }, []);

  useShellCommands(shell, {
    openCase: (request) => void openFilesKeepingDraft(request),
    openDialog: () => setOpenDialog(true),
    inferenceStatus: setInferenceNote,
    exportEstimate,
  });

  useKeyboardShortcuts({
    undo: editing.undo,
    redo: editing.redo,
    open: () => setOpenDialog(true),
    'brush-smaller': () => controls.nudgeBrushMm(-1),
    'brush-larger': () => controls.nudgeBrushMm(1),
    fit: controls.fit,
    'fill-holes': editing.fillHoles,
    smooth: editing.smooth,
    'keep-largest': editing.keepLargestIsland,
    'toggle-overlay': controls.toggleOverlay,
    'cycle-overlay': controls.cycleOverlayMode,
    'toggle-reconstruction': controls.toggleRecon,
    'remove-caliper': () => {
      // Only with the Caliper tool: Delete must not remove a measurement while painting.
      if (controls.tool !== 'caliper') return;
      editing.changeCalipers(() => inputs.removeLastCaliper());
    },
    // As the toolbar: an editing tool is not armed on a read-only case (its use would be refused).
    tool: (tool) => {
      const refused = refusedGesture(tool, readOnly);
      if (refused) setMessage(refused);
      else controls.setTool(tool);
    },
    panning: controls.setPanning,
  });

  // ---- derived display values ---------------------------------------------------------------
  const coronalCalibrated = caseView?.coronal.calibration != null;
  const { maskVersion } = editing;
  const lengths = useMemo(
    () => measuredLengths(masksRef.current, caseView, calipers),
    // maskVersion: the masks are edited in place, the version says when.
    [caseView, calipers, maskVersion],
  );

  const reconstructionFor = (view: ViewName): ReconstructionPlacement | null => {
    const e = explanation.value;
    const m = masksRef.current[view];
    const cal = calibrationOf(caseView, view);
    return controls.showRecon && e && m && cal ? placeReconstruction(e, view, m, cal) : null;
  };

  const { uncalibratedView } = calibration;

  return (
    <div className="app">
      {/* The banner landmark: the tools are found by landmark as the viewers (main) are. */}
      <header>
        <Toolbar
          tool={controls.tool}
          onTool={controls.setTool}
          calibrating={uncalibratedView !== null}
          brushMm={controls.brushMm}
          onBrushMm={controls.setBrushMm}
          calibrated={calibrationOf(caseView, controls.activeView) != null}
          overlayMode={controls.overlayMode}
          onOverlayMode={controls.setOverlayMode}
          overlayVisible={controls.overlayVisible}
          onOverlayVisible={controls.setOverlayVisible}
          opacity={controls.opacity}
          onOpacity={controls.setOpacity}
          brightness={controls.brightness}
          onBrightness={controls.setBrightness}
          contrast={controls.contrast}
          onContrast={controls.setContrast}
          canUndo={editing.canUndo}
          canRedo={editing.canRedo}
          onUndo={editing.undo}
          onRedo={editing.redo}
          onSmooth={editing.smooth}
          onFillHoles={editing.fillHoles}
          onKeepLargest={editing.keepLargestIsland}
          onResetToAi={editing.resetToAi}
          onFit={controls.fit}
          onOpen={() => setOpenDialog(true)}
          // The width/thickness choice only where there is a transverse view to draw it on.
          caliperKind={caseView?.transverse ? inputs.transverseKind : undefined}
          onCaliperKind={inputs.setTransverseKind}
          recalibration={calibration.recalibrationOf(controls.activeView)}
          onRecalibrate={calibration.recalibrate}
          readOnly={readOnly}
        />
      </header>
      <main className="workspace">
        <div className="viewers">
          {caseView ? (
            viewsOf(caseView).map((view) => {
              const image = view === 'coronal' ? caseView.coronal : caseView.transverse;
              if (!image) return null;
              return (
                <ViewerPane
                  key={`${caseView.caseId}-${view}`}
                  view={view}
                  image={image}
                  masks={masksRef.current[view] ?? null}
                  maskVersion={maskVersion}
                  overlay={{
                    mode: controls.overlayMode,
                    opacity: controls.opacity,
                    visible: controls.overlayVisible,
                  }}
                  tool={viewerTool(view, controls.tool, uncalibratedView)}
                  panning={controls.panning}
                  brushMm={controls.brushMm}
                  brightness={controls.brightness}
                  contrast={controls.contrast}
                  calipers={calipers[view]}
                  calibrationLine={calibration.lineOn(view)}
                  reconstruction={reconstructionFor(view)}
                  fitSignal={controls.fitSignal}
                  onStrokeEnd={editing.onStrokeEnd}
                  onCaliper={(v, a, b) => editing.changeCalipers(() => inputs.addCaliper(v, a, b))}
                  onCalibrationLine={calibration.drawLine}
                  onActivate={controls.setActiveView}
                  readOnly={readOnly}
                  onEditRefused={setMessage}
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
          <ReadOnlyBanner reason={readOnly} />
          {uncalibratedView && calibration.postponed === null && caseView && (
            <CalibrationDialog
              view={uncalibratedView}
              line={calibration.lineOn(uncalibratedView)}
              busy={calibration.busy}
              onApply={calibration.apply}
              imageSize={
                (uncalibratedView === 'coronal' ? caseView.coronal : caseView.transverse) ??
                caseView.coronal
              }
              onLine={(a, b) => calibration.drawLine(uncalibratedView, a, b)}
              onClearLine={calibration.clearLine}
              {...calibration.dialog}
            />
          )}
          {calibration.postponed && (
            <CalibrationPutOff view={calibration.postponed} onResume={calibration.resume} />
          )}
          {calibration.refused && <CalibrationRefused {...calibration.refused} />}
          {caseView ? (
            <VolumeSummary
              failed={estimate.failed}
              estimate={coronalCalibrated ? estimate.value : null}
              updating={estimate.updating}
              calibrated={coronalCalibrated}
              referenceVolumeMl={caseView.referenceVolumeMl ?? null}
            />
          ) : (
            // No case, so no image: "this image has no calibration" would mislead the reader.
            <div className="volume no-case" data-testid="no-case">
              No case open: open one with Open… (Ctrl+O), or from the worklist in the Review tab.
            </div>
          )}
          <SideTabs tab={tab} onTab={setTab} />
          {tab === 'compare' && (
            <ComparisonPanel
              estimate={coronalCalibrated ? estimate.value : null}
              updating={estimate.updating}
              failed={estimate.failed}
              calibrated={coronalCalibrated}
              lengths={lengths}
              patient={patient}
              studyPatient={caseView?.studyPatient ?? null}
              onPatient={(p) => {
                inputs.setPatient(p);
                scheduleEstimate();
              }}
              referenceVolumeMl={caseView?.referenceVolumeMl ?? null}
              caseOpen={caseView !== null}
              readOnly={readOnly}
              drawnCalipers={drawnKinds(calipers)}
              // A signed-off case's calipers stay, as its masks do (no × while read-only).
              onRemoveCaliper={
                readOnly
                  ? undefined
                  : (kind) => editing.changeCalipers(() => inputs.removeCaliper(kind))
              }
            />
          )}
          {tab === 'explain' && (
            <ExplainPanel
              explanation={explanation.value}
              loading={explanation.updating}
              showReconstruction={controls.showRecon}
              onShowReconstruction={controls.setShowRecon}
              onRefresh={scheduleExplain}
              calibrated={coronalCalibrated}
            />
          )}
          {/* Kept mounted so the reader, session and worklist survive a look at the other tabs. */}
          <div hidden={tab !== 'review'} data-testid="review-tab">
            {/* Titled as the other tabs' panels are: the panel's own headings come below it. */}
            <h2 className="side-tab-title">Review</h2>
            <ReviewPanel
              api={api}
              onOpenCase={(caseId, opened, reader, claim) =>
                void openStoredCase(caseId, opened, reader, claim).then(() => {
                  // After a swap the case is opened again: the status line says what changed,
                  // not merely that it opened.
                  const note = noteOnOpening.current;
                  noteOnOpening.current = null;
                  if (note?.caseId === caseId && storedCase.current?.caseId === caseId)
                    setMessage(note.message);
                })
              }
              onViewsSwapped={(caseId, title) =>
                noteCaseChange(caseId, `Views swapped: ${title}`, true)
              }
              onCaseStatusChanged={noteCaseChange}
              onScreen={tab === 'review'}
              // After a reload or restart with no sample asked for: the case shown before.
              mayReopenInViewer={!initialSample && caseView === null}
              claimViewer={claimOpening}
              settleViewer={settleViewer}
              settleEdits={settled}
              viewerCaseId={storedShown?.caseId ?? null}
              // Each saved estimate of the viewer's case: its row and sign-off step follow it.
              viewerEstimate={storedShown ? estimate.value : null}
            />
          </div>
        </aside>
      </main>
      <ErrorsPanel errors={errors} onDismiss={dismissError} />
      <StatusBar status={status} inference={inferenceNote} message={message} />
      {openDialog && (
        <OpenCaseDialog
          sampleIds={status?.sampleCaseIds ?? []}
          onOpenSample={(id) => void openSample(id)}
          onOpenCase={(r) => void openFilesKeepingDraft(r)}
          draft={openDraft}
          onClose={closeOpenDialog}
        />
      )}
    </div>
  );
}
