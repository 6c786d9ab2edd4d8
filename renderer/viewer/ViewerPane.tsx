/**
 * One ultrasound view on a Konva stage: the image (brightness/contrast), the mask overlay, the
 * decoder reconstruction, calipers and the editing tools. Painting mutates the view's current mask
 * in place and redraws only the dirty rectangle of the overlay, so React never re-renders during a
 * stroke; the finished stroke is handed to the parent as one delta.
 */
import type Konva from 'konva';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type JSX,
} from 'react';
import { Ellipse, Image as KImage, Layer, Line, Stage, Text } from 'react-konva';
import type { Calibration, ViewImage, ViewName } from '../../src/api';
import { maskBounds } from '../../src/imaging/mask-bounds';
import { brushShape, paintSegment, type DirtyRect } from '../editing/brush';
import type { Caliper } from '../editing/calipers';
import { StrokeRecorder, type MaskDelta } from '../editing/delta';
import { endGesturesOnWindowEvents, GestureSlot, type GestureEnded } from '../editing/gesture';
import { growRect, renderOverlay, type OverlayStyle } from '../editing/overlay';
import { fillPolygon } from '../editing/polygon';
import { caliperLabelPlacement } from './caliper-label';
import { adjustedImageCanvas, loadImage } from './image-adjust';
import { refusedGesture } from './read-only-gestures';
import type { Tool, ViewMasks } from './types';
import { caliperLabelText, viewerDescription } from './viewer-description';

/** Where the reconstruction bitmap lies over the image, in image pixels. */
export interface ReconstructionPlacement {
  canvas: HTMLCanvasElement;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ViewerPaneProps {
  view: ViewName;
  image: ViewImage;
  masks: ViewMasks | null;
  /** Bumped by the parent whenever the masks change outside a stroke (undo, reset, new case). */
  maskVersion: number;
  overlay: OverlayStyle & { visible: boolean };
  tool: Tool;
  /** Space held: drag pans whatever the tool. */
  panning: boolean;
  brushMm: number;
  brightness: number;
  contrast: number;
  calipers: readonly Caliper[];
  calibrationLine: [[number, number], [number, number]] | null;
  reconstruction: ReconstructionPlacement | null;
  fitSignal: number;
  onStrokeEnd(view: ViewName, delta: MaskDelta): void;
  onCaliper(view: ViewName, a: [number, number], b: [number, number]): void;
  onCalibrationLine(view: ViewName, a: [number, number], b: [number, number]): void;
  onActivate(view: ViewName): void;
  /**
   * Why the case may not be edited (it is signed off), or null: brush, lasso and caliper gestures
   * then do not start, and `onEditRefused` is told why.
   */
  readOnly?: string | null;
  onEditRefused?(message: string): void;
}

/** Pixel size used for brush sizes before calibration: sizes are then nominal, not physical. */
const NOMINAL_SPACING_MM = 0.3;
const ZOOM_STEP = 1.15;

/** A gesture in progress, made by the pointer `pointerId`. */
type Gesture = { pointerId: number } & (
  | {
      kind: 'paint';
      recorder: StrokeRecorder;
      last: [number, number];
      value: 0 | 1;
      dirty: DirtyRect | null;
    }
  | { kind: 'lasso'; points: [number, number][]; value: 0 | 1; moved: number }
  | { kind: 'line'; a: [number, number]; b: [number, number]; purpose: 'caliper' | 'calibrate' }
);

function unionRect(a: DirtyRect | null, b: DirtyRect | null): DirtyRect | null {
  if (!a) return b;
  if (!b) return a;
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

export function ViewerPane(props: ViewerPaneProps): JSX.Element {
  const { view, image, masks, maskVersion, overlay, tool, panning, brushMm, brightness, contrast } =
    props;
  const containerRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const overlayNodeRef = useRef<Konva.Image>(null);
  const cursorRef = useRef<Konva.Ellipse>(null);
  const previewRef = useRef<Konva.Line>(null);
  // Every way a gesture ends goes through the slot, which closes a stroke's recorder each time;
  // what the end means for this pane is in onGestureEnded (the newest, through the ref).
  const gestureEndedRef = useRef<GestureEnded<Gesture>>(() => undefined);
  const [gestures] = useState(
    () => new GestureSlot<Gesture>((g, how, delta) => gestureEndedRef.current(g, how, delta)),
  );
  const clickPolygonRef = useRef<[number, number][]>([]);
  const [size, setSize] = useState({ width: 400, height: 300 });
  const [sourceImage, setSourceImage] = useState<HTMLImageElement | null>(null);
  const [maskPixels, setMaskPixels] = useState(0);
  const [maskCentre, setMaskCentre] = useState('');
  const [maskBox, setMaskBox] = useState('');

  const spacingX = image.calibration?.spacingX ?? NOMINAL_SPACING_MM;
  const spacingY = image.calibration?.spacingY ?? NOMINAL_SPACING_MM;
  const shape = useMemo(
    () => brushShape(brushMm, spacingX, spacingY),
    [brushMm, spacingX, spacingY],
  );

  // ---- image -------------------------------------------------------------------------------
  useEffect(() => {
    let alive = true;
    loadImage(image.pngDataUrl).then(
      (img) => alive && setSourceImage(img),
      () => alive && setSourceImage(null),
    );
    return () => {
      alive = false;
    };
  }, [image.pngDataUrl]);
  const greyCanvas = useMemo(
    () => (sourceImage ? adjustedImageCanvas(sourceImage, brightness, contrast) : null),
    [sourceImage, brightness, contrast],
  );

  // ---- overlay bitmap ------------------------------------------------------------------------
  const overlayCanvas = useMemo(() => {
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    return canvas;
  }, [image.width, image.height]);
  const overlayData = useMemo(
    () => new ImageData(image.width, image.height),
    [image.width, image.height],
  );
  const style = useMemo<OverlayStyle>(
    () => ({ mode: overlay.mode, opacity: overlay.opacity }),
    [overlay.mode, overlay.opacity],
  );

  const redrawOverlay = useCallback(
    (rect?: DirtyRect) => {
      if (!masks) return;
      renderOverlay(
        overlayData.data,
        masks.current,
        masks.ai,
        masks.width,
        masks.height,
        style,
        rect,
      );
      const ctx = overlayCanvas.getContext('2d');
      if (!ctx) return;
      if (rect)
        ctx.putImageData(
          overlayData,
          0,
          0,
          rect.x0,
          rect.y0,
          rect.x1 - rect.x0 + 1,
          rect.y1 - rect.y0 + 1,
        );
      else ctx.putImageData(overlayData, 0, 0);
      overlayNodeRef.current?.getLayer()?.batchDraw();
    },
    [masks, overlayData, overlayCanvas, style],
  );

  const recount = useCallback(() => {
    // Pixel count, centre and bounding box (image pixels), published on the pane for tests.
    const b = masks ? maskBounds(masks.current, masks.width, masks.height) : null;
    setMaskPixels(b?.count ?? 0);
    setMaskCentre(b ? `${(b.sumX / b.count).toFixed(1)},${(b.sumY / b.count).toFixed(1)}` : '');
    setMaskBox(b ? [b.x0, b.y0, b.x1, b.y1].join(',') : '');
  }, [masks]);

  useEffect(() => {
    redrawOverlay();
    recount();
  }, [redrawOverlay, recount, maskVersion]);

  // ---- fit, zoom, pan ----------------------------------------------------------------------
  /** Image-to-pane transform "scale,x,y" as a data attribute, so tests can aim at image points. */
  const publishTransform = useCallback(() => {
    const stage = stageRef.current;
    if (stage && containerRef.current) {
      containerRef.current.dataset.viewTransform = `${stage.scaleX()},${stage.x()},${stage.y()}`;
    }
  }, []);

  const fit = useCallback(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const scale = Math.min(size.width / image.width, size.height / image.height) * 0.98;
    stage.scale({ x: scale, y: scale });
    stage.position({
      x: (size.width - image.width * scale) / 2,
      y: (size.height - image.height * scale) / 2,
    });
    stage.batchDraw();
    publishTransform();
  }, [size, image.width, image.height, publishTransform]);

  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setSize({ width: Math.max(50, Math.floor(width)), height: Math.max(50, Math.floor(height)) });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => fit(), [fit, props.fitSignal]);

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    const stage = stageRef.current;
    const pointer = stage?.getPointerPosition();
    if (!stage || !pointer) return;
    const old = stage.scaleX();
    const next = e.evt.deltaY < 0 ? old * ZOOM_STEP : old / ZOOM_STEP;
    const clamped = Math.min(40, Math.max(0.05, next));
    const anchor = { x: (pointer.x - stage.x()) / old, y: (pointer.y - stage.y()) / old };
    stage.scale({ x: clamped, y: clamped });
    stage.position({ x: pointer.x - anchor.x * clamped, y: pointer.y - anchor.y * clamped });
    stage.batchDraw();
    publishTransform();
  };

  // ---- gestures ----------------------------------------------------------------------------
  const imagePoint = (): [number, number] | null => {
    const p = stageRef.current?.getRelativePointerPosition();
    return p ? [p.x, p.y] : null;
  };

  const updatePreview = (points: number[], closed: boolean) => {
    const line = previewRef.current;
    if (!line) return;
    line.points(points);
    line.closed(closed);
    line.getLayer()?.batchDraw();
  };

  const applyPolygon = (points: [number, number][], value: 0 | 1) => {
    if (!masks || points.length < 3) return;
    const recorder = new StrokeRecorder(masks.current);
    const rect = fillPolygon(recorder, masks.width, masks.height, points, value);
    const delta = recorder.finish();
    if (rect) redrawOverlay(growRect(rect, 1, masks.width, masks.height));
    if (delta) {
      recount();
      props.onStrokeEnd(view, delta);
    }
  };

  const editing = !panning && tool !== 'pan';
  const refusal = editing ? refusedGesture(tool, props.readOnly ?? null) : null;

  const onPointerDown = (e: Konva.KonvaEventObject<PointerEvent>) => {
    props.onActivate(view);
    if (!editing || e.evt.button !== 0) return;
    if (refusal !== null) {
      props.onEditRefused?.(refusal);
      return;
    }
    // A press while a gesture is still open (a second finger, a pen beside the mouse): the open
    // one ends first, before a new stroke's recorder starts on the same pixels.
    gestures.end('commit');
    const p = imagePoint();
    if (!p) return;
    const pointerId = e.evt.pointerId;
    // Keep receiving moves (and the release) when the pointer leaves the pane mid-stroke.
    const target = e.evt.target;
    if (target instanceof Element) target.setPointerCapture(pointerId);
    if ((tool === 'brush' || tool === 'eraser') && masks) {
      const recorder = new StrokeRecorder(masks.current);
      const value = tool === 'brush' ? 1 : 0;
      const rect = paintSegment(recorder, masks.width, masks.height, p, p, shape, value);
      gestures.begin({ pointerId, kind: 'paint', recorder, last: p, value, dirty: rect });
      if (rect) redrawOverlay(growRect(rect, 1, masks.width, masks.height));
    } else if ((tool === 'lasso-add' || tool === 'lasso-cut') && masks) {
      gestures.begin({
        pointerId,
        kind: 'lasso',
        points: [p],
        value: tool === 'lasso-add' ? 1 : 0,
        moved: 0,
      });
    } else if (tool === 'caliper' || tool === 'calibrate') {
      gestures.begin({ pointerId, kind: 'line', a: p, b: p, purpose: tool });
    }
  };

  const onPointerMove = (e: Konva.KonvaEventObject<PointerEvent>) => {
    const p = imagePoint();
    if (!p) return;
    const cursor = cursorRef.current;
    if (cursor) {
      cursor.position({ x: p[0], y: p[1] });
      cursor.radius({ x: shape.rx, y: shape.ry });
      cursor.visible((tool === 'brush' || tool === 'eraser') && refusal === null);
      cursor.getLayer()?.batchDraw();
    }
    const g = gestures.current;
    // Another pointer's moves (a second finger) do not extend this gesture.
    if (!g || g.pointerId !== e.evt.pointerId) return;
    if (g.kind === 'paint' && masks) {
      const rect = paintSegment(g.recorder, masks.width, masks.height, g.last, p, shape, g.value);
      g.last = p;
      g.dirty = unionRect(g.dirty, rect);
      if (rect) redrawOverlay(growRect(rect, 1, masks.width, masks.height));
    } else if (g.kind === 'lasso') {
      const last = g.points[g.points.length - 1];
      const step = Math.hypot(p[0] - last[0], p[1] - last[1]);
      if (step >= 1) {
        g.points.push(p);
        g.moved += step;
        updatePreview(g.points.flat(), false);
      }
    } else if (g.kind === 'line') {
      g.b = p;
      updatePreview([...g.a, ...g.b], false);
    }
  };

  /**
   * A gesture is over: released, cancelled, lost its pointer capture, or replaced by a new press
   * (committed), or left behind with masks no longer shown (discarded: the stroke's pixels are
   * already put back, and the pane redraws the new masks whole).
   */
  const onGestureEnded: GestureEnded<Gesture> = (g, how, delta) => {
    if (how === 'discard') {
      updatePreview([], false);
      return;
    }
    if (g.kind === 'paint') {
      if (delta) {
        recount();
        props.onStrokeEnd(view, delta);
      }
    } else if (g.kind === 'lasso') {
      if (g.moved > 6 && g.points.length >= 3) {
        // A drag: a freehand lasso, closed and applied at once.
        clickPolygonRef.current = [];
        updatePreview([], false);
        applyPolygon(g.points, g.value);
      } else {
        // A click: one more polygon vertex; double-click or Enter closes the polygon.
        clickPolygonRef.current.push(g.points[0]);
        updatePreview(clickPolygonRef.current.flat(), false);
      }
    } else if (g.kind === 'line') {
      updatePreview([], false);
      if (Math.hypot(g.b[0] - g.a[0], g.b[1] - g.a[1]) < 2) return;
      if (g.purpose === 'caliper') props.onCaliper(view, g.a, g.b);
      else props.onCalibrationLine(view, g.a, g.b);
    }
  };

  /**
   * Konva reports any two clicks within 400 ms as a double-click, also two quick vertices far
   * apart; only a double-click on one spot (the last two vertices together) closes the polygon.
   */
  const onDoubleClick = () => {
    const pts = clickPolygonRef.current;
    const scale = stageRef.current?.scaleX() ?? 1;
    if (pts.length < 4) return;
    const [a, b] = [pts[pts.length - 2], pts[pts.length - 1]];
    if (Math.hypot(a[0] - b[0], a[1] - b[1]) * scale > 6) return;
    clickPolygonRef.current = pts.slice(0, -1);
    closeClickPolygon(true);
  };

  gestureEndedRef.current = onGestureEnded;
  // A release (or cancel, or lost capture) outside the pane or the window still ends the gesture,
  // or a stroke's pixels would miss the history and its mask stay "being stroked" for good.
  // Layout effects, both: their clean-ups run as the pane leaves the page, before its canvas goes.
  // Chromium reports the capture of a removed canvas lost within milliseconds, before the next
  // frame, and a passive clean-up may run after that: the lost capture would then commit this
  // gesture (a stroke, a lasso, a caliper) into the case shown next.
  useLayoutEffect(() => endGesturesOnWindowEvents(window, gestures), [gestures]);
  // Other masks (another case, or the same case opened again) or unmounted mid-gesture: the gesture
  // belongs to masks no longer shown, and its delta must never land in the new masks' history.
  useLayoutEffect(() => () => gestures.end('discard'), [gestures, masks]);

  const closeClickPolygon = useCallback(
    (apply: boolean) => {
      const points = clickPolygonRef.current;
      clickPolygonRef.current = [];
      updatePreview([], false);
      if (apply && points.length >= 3) applyPolygon(points, tool === 'lasso-cut' ? 0 : 1);
    },
    // applyPolygon closes over the current masks and tool; re-bound when they change.
    [masks, tool, redrawOverlay],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (clickPolygonRef.current.length === 0) return;
      if (e.key === 'Enter') closeClickPolygon(true);
      else if (e.key === 'Escape') closeClickPolygon(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closeClickPolygon]);
  useEffect(() => closeClickPolygon(false), [tool, closeClickPolygon]);

  const spacingKnown = image.calibration !== null;
  const cursorStyle =
    panning || tool === 'pan'
      ? 'grab'
      : refusal !== null
        ? 'not-allowed'
        : tool === 'brush' || tool === 'eraser'
          ? 'none'
          : 'crosshair';
  const labelSize = Math.max(10, image.width / 50);

  return (
    <div
      className="viewer"
      ref={containerRef}
      data-testid={`viewer-${view}`}
      data-mask-pixels={maskPixels}
      data-mask-centre={maskCentre}
      data-mask-box={maskBox}
      data-image-size={`${image.width},${image.height}`}
      data-overlay-visible={overlay.visible && maskPixels > 0 ? 'true' : 'false'}
      data-read-only={props.readOnly ? 'true' : undefined}
      style={{ cursor: cursorStyle }}
      onPointerLeave={() => {
        cursorRef.current?.visible(false);
        cursorRef.current?.getLayer()?.batchDraw();
      }}
    >
      <div className="viewer-label">
        {view === 'coronal' ? 'Coronal' : 'Transverse'} · {image.sourceName}
        {spacingKnown ? ` · ${image.calibration?.spacingX.toFixed(3)} mm/px` : ' · uncalibrated'}
        {/* What decoding decided for the reader (a given spacing not used, an unknown character
            set): shown as long as the case is open, not only in the passing status line. */}
        {image.notices?.map((notice) => (
          <div key={notice} className="viewer-notice" data-testid={`viewer-notice-${view}`}>
            {notice}
          </div>
        ))}
      </div>
      {/* The canvases are one image to a screen reader, named with what they show (the
          outline, the calipers); the volume and the measurements are text in the side panel. */}
      <div
        role="img"
        aria-label={viewerDescription({
          view,
          sourceName: image.sourceName,
          maskPixels,
          overlayVisible: overlay.visible,
          calipers: props.calipers,
          calibration: image.calibration,
          calibrationLine: props.calibrationLine !== null,
        })}
        data-testid={`viewer-image-${view}`}
      >
        <Stage
          ref={stageRef}
          width={size.width}
          height={size.height}
          draggable={!editing}
          onDragEnd={publishTransform}
          onWheel={onWheel}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={(e) => gestures.end('commit', e.evt.pointerId)}
          onDblClick={onDoubleClick}
        >
          <Layer imageSmoothingEnabled={false} listening={false}>
            {greyCanvas && (
              <KImage image={greyCanvas} x={0} y={0} width={image.width} height={image.height} />
            )}
            <KImage
              ref={overlayNodeRef}
              image={overlayCanvas}
              x={0}
              y={0}
              width={image.width}
              height={image.height}
              visible={overlay.visible}
            />
            {props.reconstruction && (
              <KImage
                image={props.reconstruction.canvas}
                x={props.reconstruction.x}
                y={props.reconstruction.y}
                width={props.reconstruction.width}
                height={props.reconstruction.height}
              />
            )}
          </Layer>
          <Layer listening={false}>
            {props.calipers.map((c) => (
              <CaliperShape
                key={c.kind}
                caliper={c}
                calibration={image.calibration}
                fontSize={labelSize}
                imageSize={image}
              />
            ))}
            {props.calibrationLine && (
              <Line
                points={[...props.calibrationLine[0], ...props.calibrationLine[1]]}
                stroke="#ff5cf0"
                strokeWidth={2}
                strokeScaleEnabled={false}
                dash={[6, 4]}
              />
            )}
            <Line
              ref={previewRef}
              points={[]}
              stroke="#4fd1ff"
              strokeWidth={1.5}
              strokeScaleEnabled={false}
              dash={[4, 3]}
            />
            <Ellipse
              ref={cursorRef}
              x={0}
              y={0}
              radiusX={shape.rx}
              radiusY={shape.ry}
              stroke={tool === 'eraser' ? '#ff6b6b' : '#ffd24d'}
              strokeWidth={1}
              strokeScaleEnabled={false}
              visible={false}
            />
          </Layer>
        </Stage>
      </div>
    </div>
  );
}

/** Konva's default label font, measured on a canvas of its own. */
const LABEL_FONT_FAMILY = 'Arial';
let measuringContext: CanvasRenderingContext2D | null = null;

/** How wide `text` is drawn at `fontSize` in image pixels (a rough guess where no canvas is). */
function labelWidth(text: string, fontSize: number): number {
  measuringContext ??= document.createElement('canvas').getContext('2d');
  if (!measuringContext) return text.length * fontSize * 0.6;
  measuringContext.font = `${fontSize}px ${LABEL_FONT_FAMILY}`;
  return measuringContext.measureText(text).width;
}

function CaliperShape(props: {
  caliper: Caliper;
  calibration: Calibration | null;
  fontSize: number;
  imageSize: { width: number; height: number };
}): JSX.Element {
  const { caliper, calibration, fontSize, imageSize } = props;
  // The label sits beside the end point, so crossing width and thickness calipers stay readable,
  // on the image's side of it: at the pane's edge it would lose its unit or its number.
  const text = caliperLabelText(caliper, calibration);
  const label = caliperLabelPlacement(caliper.b, labelWidth(text, fontSize), imageSize, fontSize);
  const colour =
    caliper.kind === 'length' ? '#7CFC9A' : caliper.kind === 'width' ? '#6fc3ff' : '#ffa94d';
  return (
    <>
      <Line
        points={[...caliper.a, ...caliper.b]}
        stroke={colour}
        strokeWidth={2}
        strokeScaleEnabled={false}
      />
      <Text
        x={label.x}
        y={label.y}
        text={text}
        fill={colour}
        fontSize={fontSize}
        fontFamily={LABEL_FONT_FAMILY}
      />
    </>
  );
}
