import { describe, expect, it } from 'vitest';
import { brushShape, paintSegment } from '../../renderer/editing/brush';
import type { CaseView, Calibration } from '../../src/api';
import {
  nextCaliperKind,
  caliperLengthMm,
  caliperMm,
  placeCaliper,
  removeCaliper,
  suggestedTransverseKind,
  type Caliper,
} from '../../renderer/editing/calipers';
import { measuredLengths } from '../../renderer/measured-lengths';
import { caseView } from './renderer-fixtures';
import {
  applyDelta,
  diffMasks,
  StrokeRecorder,
  strokeInProgress,
} from '../../renderer/editing/delta';
import { EditHistory } from '../../renderer/editing/history';
import { fillMaskHoles, keepLargestIsland, smoothMask } from '../../renderer/editing/morphology';
import { maskCentroidMm, renderOverlay } from '../../renderer/editing/overlay';
import { fillPolygon } from '../../renderer/editing/polygon';

const W = 40;
const H = 30;
const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

describe('brush', () => {
  it('paints a disc of the requested diameter in mm with binary values only', () => {
    const mask = new Uint8Array(W * H);
    const rec = new StrokeRecorder(mask);
    // 10 mm diameter at 0.5 mm/px → radius 10 px; a point stroke is a disc of ~π·10² pixels.
    paintSegment(rec, W, H, [20, 15], [20, 15], brushShape(10, 0.5, 0.5), 1);
    const area = count(mask);
    expect(area).toBeGreaterThan(Math.PI * 100 * 0.9);
    expect(area).toBeLessThan(Math.PI * 100 * 1.1);
    expect(new Set(mask)).toEqual(new Set([0, 1]));
    expect(mask[15 * W + 20]).toBe(1);
    expect(mask[15 * W + 31]).toBe(0);
  });

  it('is elliptic in pixels when the spacing is anisotropic', () => {
    const mask = new Uint8Array(W * H);
    paintSegment(new StrokeRecorder(mask), W, H, [20, 15], [20, 15], brushShape(8, 0.5, 1), 1);
    // radius 8 px along x, 4 px along y
    expect(mask[15 * W + 27]).toBe(1);
    expect(mask[(15 + 6) * W + 20]).toBe(0);
    expect(mask[(15 + 3) * W + 20]).toBe(1);
  });

  it('covers the whole swept segment without gaps, and erasing restores it', () => {
    const mask = new Uint8Array(W * H);
    const rec = new StrokeRecorder(mask);
    paintSegment(rec, W, H, [2, 10], [37, 10], brushShape(2, 1, 1), 1);
    for (let x = 2; x < 37; x++) expect(mask[10 * W + x]).toBe(1);
    const delta = rec.finish();
    expect(delta).not.toBeNull();
    const erase = new StrokeRecorder(mask);
    paintSegment(erase, W, H, [0, 10], [39, 10], brushShape(4, 1, 1), 0);
    expect(count(mask)).toBe(0);
  });

  it('clips at the image border', () => {
    const mask = new Uint8Array(W * H);
    const rect = paintSegment(
      new StrokeRecorder(mask),
      W,
      H,
      [0, 0],
      [0, 0],
      brushShape(6, 1, 1),
      1,
    );
    expect(rect).toEqual({ x0: 0, y0: 0, x1: 3, y1: 3 });
    expect(
      paintSegment(new StrokeRecorder(mask), W, H, [-50, -50], [-40, -40], brushShape(2, 1, 1), 1),
    ).toBeNull();
  });
});

describe('polygon fill', () => {
  it('fills the pixels whose centres lie inside a rectangle exactly', () => {
    const mask = new Uint8Array(W * H);
    fillPolygon(
      new StrokeRecorder(mask),
      W,
      H,
      [
        [5, 5],
        [15, 5],
        [15, 12],
        [5, 12],
      ],
      1,
    );
    expect(count(mask)).toBe(10 * 7);
    expect(mask[5 * W + 5]).toBe(1);
    expect(mask[11 * W + 14]).toBe(1);
    expect(mask[12 * W + 14]).toBe(0);
    expect(mask[5 * W + 15]).toBe(0);
  });

  it('cuts with value 0 and fills a triangle with about half its bounding box', () => {
    const mask = new Uint8Array(W * H).fill(1);
    fillPolygon(
      new StrokeRecorder(mask),
      W,
      H,
      [
        [0, 0],
        [20, 0],
        [0, 20],
      ],
      0,
    );
    expect(W * H - count(mask)).toBeGreaterThan(180);
    expect(W * H - count(mask)).toBeLessThan(220);
    expect(mask[25 * W + 35]).toBe(1);
  });
});

describe('deltas and history', () => {
  it('counts a mask as being stroked from the creation of its recorder until finish()', () => {
    const mask = new Uint8Array(W * H);
    const other = new Uint8Array(W * H);
    expect(strokeInProgress(mask)).toBe(false);
    const first = new StrokeRecorder(mask);
    const second = new StrokeRecorder(mask);
    expect([strokeInProgress(mask), strokeInProgress(other)]).toEqual([true, false]);
    first.finish();
    first.finish(); // finishing twice releases the mask once
    expect(strokeInProgress(mask)).toBe(true);
    second.finish();
    expect(strokeInProgress(mask)).toBe(false);
  });

  it('records only the pixels a stroke changed and undoes/redoes them exactly', () => {
    const mask = new Uint8Array(W * H);
    const history = new EditHistory(50);
    const snapshots: Uint8Array[] = [mask.slice()];
    for (let k = 0; k < 60; k++) {
      const rec = new StrokeRecorder(mask);
      paintSegment(
        rec,
        W,
        H,
        [k % W, (k * 7) % H],
        [(k * 3) % W, (k * 5) % H],
        brushShape(3, 1, 1),
        k % 3 === 0 ? 0 : 1,
      );
      const delta = rec.finish();
      if (delta) {
        history.push({ target: 'coronal', delta });
        snapshots.push(mask.slice());
      }
    }
    expect(history.undoDepth).toBe(50);
    const last = snapshots.length - 1;
    for (let k = 1; k <= 50; k++) {
      expect(history.undo(() => mask)).not.toBeNull();
      expect(mask).toEqual(snapshots[last - k]);
    }
    expect(history.undo(() => mask)).toBeNull();
    for (let k = 49; k >= 0; k--) {
      history.redo(() => mask);
      expect(mask).toEqual(snapshots[last - k]);
    }
  });

  it('undoes each entry on the mask it names', () => {
    const masks = { coronal: new Uint8Array(2), transverse: new Uint8Array(2) };
    const h = new EditHistory<'coronal' | 'transverse'>();
    for (const target of ['coronal', 'transverse'] as const) {
      const delta = diffMasks(masks[target], Uint8Array.from([1, 1]))!;
      applyDelta(masks[target], delta, 'forward');
      h.push({ target, delta });
    }
    expect(h.undo((t) => masks[t])?.map((e) => e.target)).toEqual(['transverse']);
    expect(Array.from(masks.transverse)).toEqual([0, 0]);
    expect(Array.from(masks.coronal)).toEqual([1, 1]);
  });

  it('undoes and redoes a step over both masks as a whole', () => {
    const masks = { coronal: Uint8Array.from([0, 1]), transverse: Uint8Array.from([1, 0]) };
    const h = new EditHistory<'coronal' | 'transverse'>();
    const step = (['coronal', 'transverse'] as const).map((target) => {
      const delta = diffMasks(masks[target], Uint8Array.from([0, 0]))!;
      applyDelta(masks[target], delta, 'forward');
      return { target, delta };
    });
    h.push(step);
    h.push([]); // an empty step records nothing
    expect(h.undoDepth).toBe(1);
    expect(h.undo((t) => masks[t])?.length).toBe(2);
    expect([Array.from(masks.coronal), Array.from(masks.transverse)]).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(h.canUndo).toBe(false);
    h.redo((t) => masks[t]);
    expect([Array.from(masks.coronal), Array.from(masks.transverse)]).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('drops the redo branch after a new edit', () => {
    const mask = new Uint8Array(4);
    const h = new EditHistory();
    const d1 = diffMasks(mask, Uint8Array.from([1, 0, 0, 0]))!;
    applyDelta(mask, d1, 'forward');
    h.push({ target: 'coronal', delta: d1 });
    h.undo(() => mask);
    expect(h.canRedo).toBe(true);
    const d2 = diffMasks(mask, Uint8Array.from([0, 1, 0, 0]))!;
    applyDelta(mask, d2, 'forward');
    h.push({ target: 'coronal', delta: d2 });
    expect(h.canRedo).toBe(false);
    expect(Array.from(mask)).toEqual([0, 1, 0, 0]);
  });

  it('leaves out pixels painted back to their first value within one stroke', () => {
    const mask = new Uint8Array(W * H);
    const rec = new StrokeRecorder(mask);
    rec.set(5, 1);
    rec.set(6, 1);
    rec.set(5, 0);
    const delta = rec.finish()!;
    expect(Array.from(delta.indices)).toEqual([6]);
    expect(diffMasks(mask, mask.slice())).toBeNull();
  });
});

describe('morphology', () => {
  it('fills holes and keeps the largest island', () => {
    const mask = new Uint8Array(W * H);
    fillPolygon(
      new StrokeRecorder(mask),
      W,
      H,
      [
        [5, 5],
        [25, 5],
        [25, 25],
        [5, 25],
      ],
      1,
    );
    mask[15 * W + 15] = 0;
    mask[2 * W + 35] = 1;
    const filled = fillMaskHoles(mask, W, H);
    expect(filled[15 * W + 15]).toBe(1);
    const kept = keepLargestIsland(mask, W, H);
    expect(kept[2 * W + 35]).toBe(0);
    expect(kept[10 * W + 10]).toBe(1);
  });

  it('smoothing removes a one-pixel spur and keeps the body, staying binary', () => {
    const mask = new Uint8Array(W * H);
    fillPolygon(
      new StrokeRecorder(mask),
      W,
      H,
      [
        [5, 5],
        [25, 5],
        [25, 25],
        [5, 25],
      ],
      1,
    );
    for (let x = 25; x < 35; x++) mask[15 * W + x] = 1;
    const smooth = smoothMask(mask, W, H, 2);
    expect(smooth[15 * W + 30]).toBe(0);
    expect(smooth[15 * W + 15]).toBe(1);
    expect(Math.abs(count(smooth) - 400)).toBeLessThan(40);
    expect(new Set(smooth)).toEqual(new Set([0, 1]));
  });
});

describe('overlay and geometry', () => {
  it('renders fill, outline and the AI-vs-current comparison', () => {
    const w = 5;
    const h = 5;
    const current = new Uint8Array(w * h);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) current[y * w + x] = 1;
    const ai = current.slice();
    ai[1 * w + 1] = 0;
    current[3 * w + 3] = 0;
    const rgba = new Uint8ClampedArray(w * h * 4);
    renderOverlay(rgba, current, ai, w, h, { mode: 'fill', opacity: 0.4 });
    expect(rgba[(2 * w + 2) * 4 + 3]).toBe(102); // interior at 40 %
    expect(rgba[(1 * w + 2) * 4 + 3]).toBe(255); // outline opaque
    expect(rgba[0 * 4 + 3]).toBe(0);
    renderOverlay(rgba, current, ai, w, h, { mode: 'outline', opacity: 0.4 });
    expect(rgba[(2 * w + 2) * 4 + 3]).toBe(0);
    renderOverlay(rgba, current, ai, w, h, { mode: 'compare', opacity: 0.4 });
    expect(Array.from(rgba.slice((1 * w + 1) * 4, (1 * w + 1) * 4 + 3))).toEqual([64, 220, 96]); // added by reader
    expect(Array.from(rgba.slice((3 * w + 3) * 4, (3 * w + 3) * 4 + 3))).toEqual([255, 64, 64]); // removed
  });

  it('computes the mask centroid in mm', () => {
    const mask = new Uint8Array(4 * 2);
    mask[1] = 1; // pixel (1, 0)
    mask[7] = 1; // pixel (3, 1)
    expect(maskCentroidMm(mask, 4, 2, 2, 3)).toEqual([2 * 2.5, 3 * 1]);
    expect(maskCentroidMm(new Uint8Array(8), 4, 2, 1, 1)).toBeNull();
  });

  it('measures a caliper and an outline in the scale of the image region holding them', () => {
    // A split screen: the left region at 0.3 mm/px (the main one), the right at 0.5 mm/px.
    const split: Calibration = {
      spacingX: 0.3,
      spacingY: 0.3,
      source: 'ultrasound-regions',
      regions: [
        { x0: 0, y0: 0, x1: 19, y1: 29, spacingX: 0.3, spacingY: 0.3 },
        { x0: 20, y0: 0, x1: 39, y1: 29, spacingX: 0.5, spacingY: 0.5 },
      ],
    };
    expect(caliperLengthMm({ a: [22, 0], b: [22, 10] }, split)).toEqual({
      mm: 5,
      problem: null,
      label: null,
    });
    const across = caliperLengthMm({ a: [2, 5], b: [30, 5] }, split);
    expect(across.mm).toBeNull();
    expect(across.problem).toMatch(/spans two ultrasound regions of different scale/);
    // The label on the image says which problem it is, in a few words.
    expect(across.label).toBe('across two image regions of different scale: redraw it within one');
    const outside = caliperLengthMm({ a: [22, 5], b: [22, 500] }, split);
    expect(outside.problem).toMatch(/outside every calibrated ultrasound region/);
    expect(outside.label).toBe('outside the image area: redraw it inside');

    const cv: CaseView = caseView('split');
    cv.coronal = { ...cv.coronal, width: W, height: H, calibration: split };
    const mask = new Uint8Array(W * H);
    for (let y = 5; y < 15; y++) mask.fill(1, y * W + 24, y * W + 34); // 10 × 10 px, right region
    const masks = { coronal: { ai: mask, current: mask, width: W, height: H } };
    const calipers = {
      coronal: [
        { kind: 'length' as const, a: [2, 5] as [number, number], b: [30, 5] as [number, number] },
      ],
      transverse: [],
    };
    const lengths = measuredLengths(masks, cv, calipers);
    expect(lengths.mask.length).toBeCloseTo((Math.hypot(10, 10) * 0.5) / 10, 6); // Feret at 0.5 mm/px
    expect(lengths.caliper.length).toBeUndefined(); // no scale: no length for the formulas
    mask.fill(1, 10 * W + 10, 10 * W + 24); // the outline now reaches into the left region
    expect(measuredLengths(masks, cv, calipers).mask.length).toBeNull();
  });

  it('measures calipers in mm', () => {
    expect(caliperMm({ a: [0, 0], b: [30, 40] }, 0.5, 0.5)).toBeCloseTo(25);
    expect(caliperMm({ a: [0, 0], b: [10, 10] }, 1, 2)).toBeCloseTo(Math.hypot(10, 20));
  });

  // The old rule alternated width and thickness once both existed, so redrawing a bad thickness
  // replaced the width (a 0.8-cm "width" was signed into a report): the kind is now the reader's.
  it('redraws the transverse kind the reader chose, never the other one', () => {
    expect(nextCaliperKind('coronal', 'thickness')).toBe('length');
    expect(nextCaliperKind('transverse', 'thickness')).toBe('thickness');
    let calipers: Caliper[] = [];
    let chosen = suggestedTransverseKind(calipers, 'width');
    const draw = (b: [number, number]) => {
      const kind = nextCaliperKind('transverse', chosen);
      calipers = placeCaliper(calipers, { kind, a: [0, 0], b });
      chosen = suggestedTransverseKind(calipers, chosen);
    };
    draw([40, 0]); // the width
    draw([0, 3]); // a bad thickness
    draw([0, 20]); // redrawn: it replaces the thickness
    expect(calipers).toEqual([
      { kind: 'width', a: [0, 0], b: [40, 0] },
      { kind: 'thickness', a: [0, 0], b: [0, 20] },
    ]);
    // Removing one offers it next; the other stays.
    calipers = removeCaliper(calipers, 'width');
    expect(calipers.map((c) => c.kind)).toEqual(['thickness']);
    expect(suggestedTransverseKind(calipers, 'thickness')).toBe('width');
  });
});

describe('shortcuts', async () => {
  const { shortcutFor } = await import('../../renderer/shortcuts');
  const k = (
    key: string,
    mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
  ) =>
    shortcutFor({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('maps undo/redo with Ctrl or Cmd, tools and brush size', () => {
    expect(k('z', { ctrlKey: true })).toBe('undo');
    expect(k('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(k('y', { ctrlKey: true })).toBe('redo');
    expect(k('z', { metaKey: true })).toBe('undo');
    expect(k('[')).toBe('brush-smaller');
    expect(k(']')).toBe('brush-larger');
    expect(k('E')).toBe('tool-eraser');
    expect(k('F', { shiftKey: true })).toBe('fill-holes');
    expect(k('f')).toBe('fit');
    expect(k('x')).toBeNull();
    expect(k('b', { altKey: true })).toBeNull();
  });
});
