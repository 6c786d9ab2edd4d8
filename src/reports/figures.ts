/**
 * Figures of a case report, composed with sharp: each view with its mask overlay and calipers,
 * and a small explanation figure (the case among the training cases in the latent space).
 */
import sharp from 'sharp';
import type { Calibration } from '../api/contract';
import { spacingForSegment } from '../imaging/calibration';
import { measureMask } from '../imaging/measure';
import type { Spacing } from '../imaging/types';
import { escapeXml, niceTicks, svgToPng } from './svg';

export interface ViewFigureInput {
  label: string;
  /** 8-bit grey pixels, row-major. */
  grey: Uint8Array;
  width: number;
  height: number;
  mask: Uint8Array | null;
  /** Null for an uncalibrated view: nothing is measured on it. The reader's calipers are measured with it. */
  calibration: Calibration | null;
  /**
   * The scale the outline is measured in (src/imaging/calibration.ts, spacingForMask); null when
   * the view is uncalibrated or the outline has no single scale: then no Feret line is drawn.
   */
  maskSpacing: Spacing | null;
  /** The reader's own calipers on this view (pixel end points); without them the mask's Feret line is drawn. */
  calipers?: { a: [number, number]; b: [number, number] }[];
}

/** RGBA overlay: translucent fill inside the mask, opaque outline on its boundary. */
function maskOverlay(mask: Uint8Array, width: number, height: number): Buffer {
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const edge =
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        !mask[i - 1] ||
        !mask[i + 1] ||
        !mask[i - width] ||
        !mask[i + width];
      rgba[i * 4] = 255;
      rgba[i * 4 + 1] = edge ? 210 : 120;
      rgba[i * 4 + 2] = 0;
      rgba[i * 4 + 3] = edge ? 255 : 70;
    }
  }
  return rgba;
}

interface CaliperDrawing {
  a: [number, number];
  b: [number, number];
  label: string;
}

/**
 * The calipers to draw: the reader's own when they measured this view (what their formulas used),
 * else the mask's Feret line (what the mask-measured formulas used).
 */
function calipersToDraw(input: ViewFigureInput): CaliperDrawing[] {
  const calibration = input.calibration;
  if (!calibration) return [];
  if (input.calipers && input.calipers.length > 0) {
    return input.calipers.map(({ a, b }) => {
      // Each caliper in the scale of the ultrasound region it lies in (the engine refused any
      // that had none before its lengths were used).
      const spacing = scaleOrNull(() => spacingForSegment(a, b, calibration));
      const cm = spacing
        ? Math.hypot((b[0] - a[0]) * spacing.x, (b[1] - a[1]) * spacing.y) / 10
        : null;
      return { a, b, label: cm === null ? 'no scale' : `${cm.toFixed(1)} cm` };
    });
  }
  if (!input.mask || !input.maskSpacing) return [];
  const m = measureMask(input.mask, input.width, input.height, input.maskSpacing);
  if (!m) return [];
  return [{ a: m.endpoints[0], b: m.endpoints[1], label: `${(m.lengthMm / 10).toFixed(1)} cm` }];
}

/** A figure never fails over a scale: what has none is drawn without a length. */
function scaleOrNull(find: () => Spacing): Spacing | null {
  try {
    return find();
  } catch {
    return null;
  }
}

/** The lengths a scale bar may have (cm): the longest within a third of the image is drawn. */
const SCALE_BAR_CM = [0.5, 1, 2, 5, 10, 20];

/**
 * A horizontal scale bar in the image's bottom-left corner, labelled in cm: the figure is printed
 * at whatever size fits the page, and an anonymised one has the scanner's own depth ruler blanked.
 * Only for an image with one scale throughout (none with several ultrasound regions: a bar would
 * be true of one of them only), and none for an uncalibrated one.
 */
function scaleBarSvg(input: ViewFigureInput, fontSize: number): string {
  const calibration = input.calibration;
  if (!calibration || (calibration.regions?.length ?? 0) > 1) return '';
  const pxPerCm = 10 / calibration.spacingX;
  const cm = [...SCALE_BAR_CM].reverse().find((c) => c * pxPerCm <= input.width / 3);
  if (cm === undefined) return '';
  const [x, y] = [10, input.height - 10];
  const length = cm * pxPerCm;
  return `
    <line x1="${x}" y1="${y}" x2="${x + length}" y2="${y}" stroke="#000" stroke-width="6"/>
    <line x1="${x}" y1="${y}" x2="${x + length}" y2="${y}" stroke="#fff" stroke-width="3"/>
    <text x="${x}" y="${y - 7}" font-size="${fontSize}" font-family="DejaVu Sans, Helvetica, sans-serif" fill="#fff" stroke="#000" stroke-width="3" paint-order="stroke">${cm} cm</text>`;
}

/**
 * The calipers and the scale bar as an SVG overlay. Their labels are outlined in black under the
 * fill (paint-order): a thin stroke over the fill darkened small print to unreadable on the
 * speckle and the mask's orange.
 */
function caliperSvg(input: ViewFigureInput): string | null {
  const drawings = calipersToDraw(input);
  const fs = Math.max(12, Math.round(input.width / 28));
  const scaleBar = scaleBarSvg(input, fs);
  if (drawings.length === 0 && scaleBar === '') return null;
  const lines = drawings.map(
    ({ a: [ax, ay], b: [bx, by], label }) => `
    <line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}" stroke="#00e5ff" stroke-width="2"/>
    <circle cx="${ax}" cy="${ay}" r="4" fill="none" stroke="#00e5ff" stroke-width="2"/>
    <circle cx="${bx}" cy="${by}" r="4" fill="none" stroke="#00e5ff" stroke-width="2"/>
    <text x="${(ax + bx) / 2}" y="${(ay + by) / 2 - 8}" font-size="${fs}" font-family="DejaVu Sans, Helvetica, sans-serif" fill="#00e5ff" text-anchor="middle" stroke="#000" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${input.width}" height="${input.height}">${lines.join('')}${scaleBar}
  </svg>`;
}

export async function viewFigurePng(input: ViewFigureInput): Promise<Buffer> {
  const layers: sharp.OverlayOptions[] = [];
  if (input.mask) {
    layers.push({
      input: maskOverlay(input.mask, input.width, input.height),
      raw: { width: input.width, height: input.height, channels: 4 },
    });
  }
  const calipers = caliperSvg(input);
  if (calipers) layers.push({ input: Buffer.from(calipers) });
  return (
    sharp(Buffer.from(input.grey), {
      raw: { width: input.width, height: input.height, channels: 1 },
    })
      .toColourspace('srgb')
      .composite(layers)
      // RGB, not RGBA: pdfkit separates an alpha channel in JavaScript, which doubles a report's time.
      .removeAlpha()
      .png()
      .toBuffer()
  );
}

export interface LatentFigureInput {
  /** Training cases: [pc1, pc2, volumeMl]. */
  cloud: [number, number, number][];
  position: [number, number];
  volumeMl: number;
}

/**
 * The case (a cross) among the training cases on the first two latent components, coloured by
 * volume, with the colour's scale: without it the colours say nothing to the reader.
 */
export function latentFigureSvg(input: LatentFigureInput): string {
  const width = 420;
  const height = 326;
  const m = { left: 46, right: 16, top: 28, bottom: 66 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xs = [...input.cloud.map((p) => p[0]), input.position[0]];
  const ys = [...input.cloud.map((p) => p[1]), input.position[1]];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // The data sit inside the frame by the case's cross (the largest mark) and its stroke: mapped
  // onto the frame itself, the outermost points and the cross were cut in half by it.
  const inset = CROSS_HALF + 2;
  const px = (v: number) => m.left + inset + ((v - x0) / (x1 - x0 || 1)) * (pw - 2 * inset);
  const py = (v: number) => m.top + ph - inset - ((v - y0) / (y1 - y0 || 1)) * (ph - 2 * inset);
  const logs = input.cloud.map((p) => Math.log(Math.max(1, p[2])));
  const [l0, l1] = [
    Math.min(...logs, Math.log(input.volumeMl)),
    Math.max(...logs, Math.log(input.volumeMl)),
  ];
  const colour = (ml: number) => {
    const t = (Math.log(Math.max(1, ml)) - l0) / (l1 - l0 || 1);
    return `rgb(${Math.round(40 + 200 * t)},${Math.round(90 + 60 * (1 - Math.abs(2 * t - 1)))},${Math.round(220 - 180 * t)})`;
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Helvetica, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" font-size="13" text-anchor="middle">Latent space: this case (×) among training cases</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`,
    ...input.cloud.map(
      (p) =>
        `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${colour(p[2])}" fill-opacity="0.7"/>`,
    ),
    ...niceTicks(x0, x1, 4).map(
      (t) =>
        `<text x="${px(t)}" y="${m.top + ph + 14}" font-size="10" text-anchor="middle">${t}</text>`,
    ),
    ...niceTicks(y0, y1, 4).map(
      (t) =>
        `<text x="${m.left - 4}" y="${py(t) + 3}" font-size="10" text-anchor="end">${t}</text>`,
    ),
    `<text x="${m.left + pw / 2}" y="${m.top + ph + 28}" font-size="11" text-anchor="middle">PC1 (follows volume)</text>`,
    `<text transform="translate(12 ${m.top + ph / 2}) rotate(-90)" font-size="11" text-anchor="middle">PC2</text>`,
    ...volumeScale(colour, Math.exp(l0), Math.exp(l1), m.left, height - 22, pw),
  ];
  const [cx, cy] = [px(input.position[0]), py(input.position[1])];
  const c = CROSS_HALF;
  parts.push(
    `<path d="M${cx - c} ${cy - c} L${cx + c} ${cy + c} M${cx - c} ${cy + c} L${cx + c} ${cy - c}" stroke="#000" stroke-width="3"/>`,
  );
  parts.push(
    caseLabel(`${input.volumeMl.toFixed(0)} mL`, cx, cy, {
      left: m.left,
      right: m.left + pw,
      top: m.top,
      bottom: m.top + ph,
    }),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

/** Half the size of the case's cross in the latent figure (px). */
const CROSS_HALF = 7;
const LABEL_FONT_SIZE = 11;
/**
 * The widest a character of the label ("1234 mL") is in DejaVu Sans, as a share of the font size
 * (its "m" is 0.97 em, its digits 0.64 em): the label's width is not known before it is drawn,
 * so it is reckoned from the widest to stay inside the frame whatever the font.
 */
const LABEL_EM_PER_CHAR = 0.75;

/**
 * The case's label beside its cross: above right of it, or on the side where it stays inside the
 * frame (left of a case near the right edge, below one near the top).
 */
function caseLabel(
  label: string,
  cx: number,
  cy: number,
  frame: { left: number; right: number; top: number; bottom: number },
): string {
  const width = label.length * LABEL_EM_PER_CHAR * LABEL_FONT_SIZE;
  const offset = CROSS_HALF + 2;
  const toLeft = cx + offset + width > frame.right - 2;
  const x = toLeft ? cx - offset : cx + offset;
  // A baseline `offset` above the cross, unless the label's top would leave the frame.
  const below = cy - offset - LABEL_FONT_SIZE < frame.top + 2;
  const y = below ? cy + offset + LABEL_FONT_SIZE : cy - offset;
  return `<text x="${x}" y="${y}" font-size="${LABEL_FONT_SIZE}" text-anchor="${toLeft ? 'end' : 'start'}">${escapeXml(label)}</text>`;
}

export async function latentFigurePng(input: LatentFigureInput): Promise<Buffer> {
  return svgToPng(latentFigureSvg(input));
}

/**
 * The colour scale of the training cases' volumes (log scale, as coloured): a bar from the
 * smallest to the largest, each end labelled in mL, `width` px wide from `left`, at `y`.
 */
function volumeScale(
  colour: (ml: number) => string,
  smallestMl: number,
  largestMl: number,
  left: number,
  y: number,
  width: number,
): string[] {
  const barLeft = left + 135;
  const barWidth = width - 135 - 60;
  const steps = 24;
  const cells = Array.from({ length: steps }, (_, i) => {
    const ml = smallestMl * (largestMl / smallestMl) ** ((i + 0.5) / steps);
    return `<rect x="${(barLeft + (i * barWidth) / steps).toFixed(1)}" y="${y - 9}" width="${(barWidth / steps + 0.5).toFixed(1)}" height="10" fill="${colour(ml)}"/>`;
  });
  return [
    `<text x="${left}" y="${y}" font-size="10">training volume:</text>`,
    `<text x="${barLeft - 4}" y="${y}" font-size="10" text-anchor="end">${smallestMl.toFixed(0)} mL</text>`,
    ...cells,
    `<text x="${barLeft + barWidth + 4}" y="${y}" font-size="10">${largestMl.toFixed(0)} mL</text>`,
  ];
}

/** 8-bit grey pixels of a float grey image (0..255). */
export function toGrey8(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(data[i])));
  return out;
}
