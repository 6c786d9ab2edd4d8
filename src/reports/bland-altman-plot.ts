/**
 * Bland–Altman plot as PNG: difference against mean, with the bias line and the 95% limits of
 * agreement. Drawn as SVG and rasterised by sharp, so it needs no canvas or browser.
 */
import type { BlandAltmanStats } from './stats';
import { escapeXml, niceTicks, svgToPng } from './svg';

export interface BlandAltmanPlotOptions {
  title: string;
  /** e.g. "AI − final (mL)". */
  yLabel: string;
  xLabel?: string;
  /** A line under the title, e.g. which cases the plot leaves out; none when null. */
  note?: string | null;
  width?: number;
  height?: number;
}

/** The least distance between two labels' baselines (px): a 12-px label's height and a little. */
const LABEL_GAP = 15;

/** A difference as labelled: one decimal, a true minus when negative, and its unit. */
function signedMl(value: number): string {
  return `${value < 0 ? '−' : ''}${Math.abs(value).toFixed(1)} mL`;
}

/**
 * Baselines `ys` (in any order) moved the least needed to lie at least `gap` apart, kept within
 * [top, bottom] where there is room; returned in the order given.
 */
export function spreadApart(
  ys: readonly number[],
  gap: number,
  top: number,
  bottom: number,
): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  for (let k = 1; k < order.length; k++) order[k].y = Math.max(order[k].y, order[k - 1].y + gap);
  // Pushed past the bottom: shifted back up, each keeping its gap to the one below.
  if (order.length > 0 && order[order.length - 1].y > bottom) {
    order[order.length - 1].y = bottom;
    for (let k = order.length - 2; k >= 0; k--)
      order[k].y = Math.min(order[k].y, order[k + 1].y - gap);
  }
  for (const o of order) o.y = Math.max(o.y, top);
  const out: number[] = [];
  for (const o of order) out[o.i] = o.y;
  return out;
}

export function blandAltmanSvg(stats: BlandAltmanStats, options: BlandAltmanPlotOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const m = { left: 70, right: 150, top: options.note ? 56 : 40, bottom: 55 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xs = stats.points.map((p) => p.mean);
  const ys = stats.points.map((p) => p.difference);
  const lines = [stats.meanDifference, ...(stats.limitsOfAgreement ?? [])].filter(
    (v): v is number => v !== null,
  );
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = [Math.min(0, ...ys, ...lines), Math.max(0, ...ys, ...lines)];
  const padX = (x1 - x0 || Math.max(1, Math.abs(x0) * 0.2)) * 0.1;
  const padY = (y1 - y0 || 10) * 0.1;
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number) => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" font-size="16" text-anchor="middle" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
  ];
  if (options.note)
    parts.push(
      `<text x="${width / 2}" y="44" font-size="12" text-anchor="middle" fill="#555">${escapeXml(options.note)}</text>`,
    );
  for (const t of niceTicks(x0, x1)) {
    parts.push(
      `<line x1="${sx(t)}" y1="${m.top + ph}" x2="${sx(t)}" y2="${m.top + ph + 5}" stroke="#444"/>`,
    );
    parts.push(
      `<text x="${sx(t)}" y="${m.top + ph + 20}" font-size="12" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    parts.push(
      `<line x1="${m.left - 5}" y1="${sy(t)}" x2="${m.left}" y2="${sy(t)}" stroke="#444"/>`,
    );
    parts.push(
      `<text x="${m.left - 8}" y="${sy(t) + 4}" font-size="12" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" y1="${sy(0)}" x2="${m.left + pw}" y2="${sy(0)}" stroke="#bbb"/>`,
  );
  // The lines at their values; their labels (right of the plot) moved apart where lines lie close
  // (all differences equal: bias and both limits on one line), so that none prints over another.
  const labels: { value: number; text: string; colour: string }[] = [];
  const labelled = (value: number, label: string, colour: string, dash: string) => {
    parts.push(
      `<line x1="${m.left}" y1="${sy(value)}" x2="${m.left + pw}" y2="${sy(value)}" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"/>`,
    );
    labels.push({ value, text: `${label} ${signedMl(value)}`, colour });
  };
  if (stats.meanDifference !== null) labelled(stats.meanDifference, 'bias', '#1f5fbf', '0');
  if (stats.limitsOfAgreement) {
    labelled(stats.limitsOfAgreement[1], '+1.96 SD', '#c0392b', '6 4');
    labelled(stats.limitsOfAgreement[0], '−1.96 SD', '#c0392b', '6 4');
  }
  const labelYs = spreadApart(
    labels.map((l) => sy(l.value) + 4),
    LABEL_GAP,
    m.top + 28,
    height - 4,
  );
  labels.forEach((l, i) =>
    parts.push(
      `<text x="${m.left + pw + 6}" y="${labelYs[i]}" font-size="12" fill="${l.colour}">${escapeXml(l.text)}</text>`,
    ),
  );
  for (const p of stats.points) {
    parts.push(
      `<circle cx="${sx(p.mean)}" cy="${sy(p.difference)}" r="5" fill="#1f5fbf" fill-opacity="0.75" stroke="#0b2f66"/>`,
    );
  }
  if (stats.n === 0) {
    parts.push(
      `<text x="${m.left + pw / 2}" y="${m.top + ph / 2}" font-size="14" text-anchor="middle" fill="#777">no cases with both values yet</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + pw / 2}" y="${height - 12}" font-size="13" text-anchor="middle">${escapeXml(options.xLabel ?? 'mean of the two (mL)')}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  parts.push(`<text x="${m.left + pw + 6}" y="${m.top + 12}" font-size="12">n = ${stats.n}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export async function blandAltmanPng(
  stats: BlandAltmanStats,
  options: BlandAltmanPlotOptions,
): Promise<Buffer> {
  return svgToPng(blandAltmanSvg(stats, options));
}
