/**
 * Fonts for the PDF report. The formula table needs ≤, ≈, π, ·, − and en dashes, which pdfkit's
 * built-in Helvetica (WinAnsi) cannot show, so a Unicode TrueType font of the system is embedded
 * for the body text when one is found (otherwise Helvetica, with those characters spelt in ASCII).
 * Headings (ASCII only) use the built-in Helvetica-Bold: parsing a second TrueType font costs
 * about 150 ms per report, a sixth of the report's time budget.
 */
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  '/Library/Fonts/Arial.ttf',
];

export interface ReportFonts {
  /** A TrueType file's bytes, or the name of a built-in font. */
  regular: Buffer | string;
  bold: string;
  /** True for an embedded Unicode font; false for Helvetica, which needs `asciiFallback`. */
  unicode: boolean;
}

let cached: ReportFonts | null = null;

export function findReportFonts(): ReportFonts {
  if (cached) return cached;
  const found = CANDIDATES.find((path) => existsSync(path));
  cached = found
    ? { regular: readFileSync(found), bold: 'Helvetica-Bold', unicode: true }
    : { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false };
  return cached;
}

const ASCII: Record<string, string> = {
  '≤': '<=',
  '≥': '>=',
  '≈': '~',
  '−': '-',
  π: 'pi',
  '→': '->',
  '’': "'",
  '×': 'x',
  σ: 'sigma',
  μ: 'mu',
};

/** Spells characters outside WinAnsi in ASCII (for the built-in fonts). */
export function asciiFallback(text: string): string {
  return text.replace(/[≤≥≈−π→’×σμ]/g, (c) => ASCII[c] ?? c);
}
