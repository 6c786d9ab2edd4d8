/**
 * The editing and display toolbar; every button's tooltip names its shortcut. On a read-only case
 * (signed off) the tools that change the masks or calipers are disabled, their tooltip saying why.
 */
import { EDITING_TOOLS } from '../viewer/read-only-gestures';
import type { JSX } from 'react';
import type { Recalibration } from '../case-views';
import type { TransverseCaliperKind } from '../editing/calipers';
import type { OverlayMode } from '../editing/overlay';
import type { Tool } from '../viewer/types';

export interface ToolbarProps {
  tool: Tool;
  onTool(tool: Tool): void;
  /** An uncalibrated view forces the calibration line tool on it until calibrated. */
  calibrating: boolean;
  brushMm: number;
  onBrushMm(mm: number): void;
  calibrated: boolean;
  overlayMode: OverlayMode;
  onOverlayMode(mode: OverlayMode): void;
  overlayVisible: boolean;
  onOverlayVisible(v: boolean): void;
  opacity: number;
  onOpacity(v: number): void;
  brightness: number;
  onBrightness(v: number): void;
  contrast: number;
  onContrast(v: number): void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo(): void;
  onRedo(): void;
  onSmooth(): void;
  onFillHoles(): void;
  onKeepLargest(): void;
  onResetToAi(): void;
  onFit(): void;
  onOpen(): void;
  /** What a transverse caliper measures: chosen beside the Caliper tool while it is active. */
  caliperKind?: TransverseCaliperKind;
  onCaliperKind?(kind: TransverseCaliperKind): void;
  /** Whether the active view's calibration can be redrawn; null hides the button. */
  recalibration?: Recalibration | null;
  onRecalibrate?(view: Recalibration['view']): void;
  /**
   * Why the case may not be changed (it is signed off), or null: the editing tools are then drawn
   * disabled with this as their tooltip, instead of looking usable and refusing when used.
   */
  readOnly?: string | null;
}

const TRANSVERSE_KINDS: { kind: TransverseCaliperKind; label: string; title: string }[] = [
  {
    kind: 'width',
    label: 'Width',
    title: 'The next transverse caliper measures the width (it replaces the width drawn before)',
  },
  {
    kind: 'thickness',
    label: 'Thickness',
    title:
      'The next transverse caliper measures the thickness (it replaces the thickness drawn before)',
  },
];

const TOOLS: { tool: Tool; label: string; title: string }[] = [
  { tool: 'brush', label: 'Brush', title: 'Brush: add to the mask (B)' },
  { tool: 'eraser', label: 'Eraser', title: 'Eraser: remove from the mask (E)' },
  {
    tool: 'lasso-add',
    label: 'Lasso +',
    title: 'Polygon/lasso add: drag a lasso, or click vertices then double-click/Enter (L)',
  },
  { tool: 'lasso-cut', label: 'Lasso −', title: 'Polygon/lasso cut (K)' },
  {
    tool: 'caliper',
    label: 'Caliper',
    title:
      'Caliper: length on coronal; on transverse the width or thickness chosen beside it. Delete removes the last caliper (M)',
  },
  { tool: 'pan', label: 'Pan', title: 'Pan (H), or hold Space and drag with any tool' },
];

export function Toolbar(p: ToolbarProps): JSX.Element {
  const readOnly = p.readOnly ?? null;
  /** A mask or caliper edit's button: disabled on a read-only case, with the reason as tooltip. */
  const edit = (title: string) =>
    readOnly === null ? { title } : { title: readOnly, disabled: true };
  return (
    <div className="toolbar" role="toolbar" aria-label="Tools">
      <button
        type="button"
        data-testid="open-case"
        title="Open a case or a sample (Ctrl+O)"
        onClick={p.onOpen}
      >
        Open…
      </button>
      <span className="sep" />
      {TOOLS.map((t) => (
        <button
          type="button"
          key={t.tool}
          data-testid={`tool-${t.tool}`}
          className={p.tool === t.tool ? 'active' : ''}
          aria-pressed={p.tool === t.tool}
          {...(EDITING_TOOLS.has(t.tool) ? edit(t.title) : { title: t.title })}
          onClick={() => p.onTool(t.tool)}
        >
          {t.label}
        </button>
      ))}
      {p.tool === 'caliper' && p.caliperKind && p.onCaliperKind && (
        <span
          className="caliper-kind"
          role="radiogroup"
          aria-label="Transverse caliper measures"
          data-testid="caliper-kind"
          title="What the next caliper on the transverse view measures"
          // A radio group as the ARIA pattern has it: the arrow keys choose, one Tab stop.
          onKeyDown={(e) => {
            const next = nextRadioKind(e.key, p.caliperKind);
            if (!next) return;
            e.preventDefault();
            p.onCaliperKind?.(next);
            e.currentTarget
              .querySelector<HTMLElement>(`[data-testid=caliper-kind-${next}]`)
              ?.focus();
          }}
        >
          Transverse:
          {TRANSVERSE_KINDS.map((k) => (
            <button
              type="button"
              key={k.kind}
              role="radio"
              aria-checked={p.caliperKind === k.kind}
              tabIndex={p.caliperKind === k.kind ? 0 : -1}
              data-testid={`caliper-kind-${k.kind}`}
              className={p.caliperKind === k.kind ? 'active' : ''}
              title={k.title}
              onClick={() => p.onCaliperKind?.(k.kind)}
            >
              {k.label}
            </button>
          ))}
        </span>
      )}
      {p.recalibration && p.onRecalibrate && (
        // The title is on a wrapper too: some browsers show no tooltip for a disabled button.
        <span data-testid="recalibrate-why" title={recalibrateTitle(p.recalibration)}>
          <button
            type="button"
            data-testid="recalibrate"
            title={recalibrateTitle(p.recalibration)}
            disabled={!p.recalibration.allowed}
            onClick={() => p.recalibration && p.onRecalibrate?.(p.recalibration.view)}
          >
            Recalibrate
          </button>
        </span>
      )}
      {p.calibrating && (
        <span
          className="badge"
          data-testid="calibrating-badge"
          title="Draw a line between two depth-ruler marks on the uncalibrated image (or with the keyboard: Draw with the keyboard, in the calibration dialog)"
        >
          Calibrating
        </span>
      )}
      <label title="Brush size ([ smaller, ] larger)">
        Size{' '}
        <input
          type="number"
          min={1}
          max={60}
          step={1}
          value={p.brushMm}
          data-testid="brush-size"
          onChange={(e) => p.onBrushMm(Number(e.target.value) || 1)}
        />{' '}
        {p.calibrated ? 'mm' : 'mm (nominal until calibrated)'}
      </label>
      <span className="sep" />
      <button
        type="button"
        data-testid="undo"
        title="Undo the last stroke (Ctrl+Z)"
        disabled={!p.canUndo}
        onClick={p.onUndo}
      >
        Undo
      </button>
      <button
        type="button"
        data-testid="redo"
        title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
        disabled={!p.canRedo}
        onClick={p.onRedo}
      >
        Redo
      </button>
      <button
        type="button"
        data-testid="smooth"
        {...edit('Smooth the outline (S)')}
        onClick={p.onSmooth}
      >
        Smooth
      </button>
      <button
        type="button"
        data-testid="fill-holes"
        {...edit('Fill holes in the mask (Shift+F)')}
        onClick={p.onFillHoles}
      >
        Fill holes
      </button>
      <button
        type="button"
        data-testid="keep-largest"
        {...edit('Keep only the largest island (I)')}
        onClick={p.onKeepLargest}
      >
        Largest island
      </button>
      <button
        type="button"
        data-testid="reset-ai"
        {...edit('Reset to the AI mask (undoable)')}
        onClick={p.onResetToAi}
      >
        Reset to AI
      </button>
      <span className="sep" />
      <label title="Show the mask overlay (V)">
        <input
          type="checkbox"
          data-testid="overlay-visible"
          checked={p.overlayVisible}
          onChange={(e) => p.onOverlayVisible(e.target.checked)}
        />{' '}
        Overlay
      </label>
      {/* A visible label, not the tooltip alone: a title is no name a reader can see or speak. */}
      <label title="Overlay mode: fill, outline only, or AI vs current (O cycles)">
        Mode{' '}
        <select
          data-testid="overlay-mode"
          value={p.overlayMode}
          onChange={(e) => p.onOverlayMode(e.target.value as OverlayMode)}
        >
          <option value="fill">Fill</option>
          <option value="outline">Outline</option>
          <option value="compare">AI vs current</option>
        </select>
      </label>
      <Slider
        title="Fill opacity"
        label="Opacity"
        min={0}
        max={1}
        value={p.opacity}
        testId="overlay-opacity"
        onChange={p.onOpacity}
      />
      <Slider
        title="Brightness"
        label="Bright"
        min={0.3}
        max={2.5}
        value={p.brightness}
        testId="brightness"
        onChange={p.onBrightness}
      />
      <Slider
        title="Contrast"
        label="Contrast"
        min={0.3}
        max={3}
        value={p.contrast}
        testId="contrast"
        onChange={p.onContrast}
      />
      <button
        type="button"
        data-testid="fit"
        title="Fit the images to their panes (F)"
        onClick={p.onFit}
      >
        Fit
      </button>
    </div>
  );
}

/** Arrow keys in the caliper kind's radio group: the kind after (→ ↓) or before (← ↑), wrapping. */
export function nextRadioKind(
  key: string,
  current: TransverseCaliperKind | undefined,
): TransverseCaliperKind | null {
  const step =
    key === 'ArrowRight' || key === 'ArrowDown'
      ? 1
      : key === 'ArrowLeft' || key === 'ArrowUp'
        ? -1
        : 0;
  if (step === 0 || current === undefined) return null;
  const kinds = TRANSVERSE_KINDS.map((k) => k.kind);
  return kinds[(kinds.indexOf(current) + step + kinds.length) % kinds.length];
}

/** What Recalibrate does, or why it cannot be used now. */
function recalibrateTitle(r: Recalibration): string {
  return r.allowed ? `Redraw the ${r.view} view's calibration on the depth ruler` : r.reason;
}

/** A labelled range input in steps of 0.05 (opacity, brightness, contrast). */
function Slider(props: {
  title: string;
  label: string;
  min: number;
  max: number;
  value: number;
  testId: string;
  onChange: (value: number) => void;
}) {
  return (
    <label title={props.title}>
      {props.label}{' '}
      <input
        type="range"
        min={props.min}
        max={props.max}
        step={0.05}
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}
