/**
 * Fonts for the PDF report. The formula table needs ≤, ≈, π, ·, − and en dashes, which pdfkit's
 * built-in Helvetica (WinAnsi) cannot show, so a Unicode TrueType font of the system is embedded
 * when one is found; otherwise Helvetica is used with those characters spelt in ASCII.
 */
import { existsSync } from 'node:fs';

const CANDIDATES: { regular: string; bold: string }[] = [
  {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  },
  {
    regular: '/usr/share/fonts/dejavu/DejaVuSans.ttf',
    bold: '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  },
  { regular: 'C:\\Windows\\Fonts\\arial.ttf', bold: 'C:\\Windows\\Fonts\\arialbd.ttf' },
  {
    regular: '/System/Library/Fonts/Supplemental/Arial.ttf',
    bold: '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
  },
  { regular: '/Library/Fonts/Arial.ttf', bold: '/Library/Fonts/Arial Bold.ttf' },
];

export interface ReportFonts {
  regular: string;
  bold: string;
  /** True for an embedded Unicode font; false for Helvetica, which needs `asciiFallback`. */
  unicode: boolean;
}

export function findReportFonts(): ReportFonts {
  const found = CANDIDATES.find((c) => existsSync(c.regular) && existsSync(c.bold));
  return found
    ? { ...found, unicode: true }
    : { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false };
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

/** Spells characters outside WinAnsi in ASCII (only needed with the Helvetica fallback). */
export function asciiFallback(text: string): string {
  return text.replace(/[≤≥≈−π→’×σμ]/g, (c) => ASCII[c] ?? c);
}
