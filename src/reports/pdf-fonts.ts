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

/** What stands in the report for a run of characters its font has no glyph for. */
export const UNPRINTABLE_MARK = '[?]';

/**
 * Said beside text holding UNPRINTABLE_MARK: a name printed with a blank or a box where its
 * Chinese characters were would read as another, shorter name.
 */
export const UNPRINTABLE_NOTE =
  `${UNPRINTABLE_MARK}: characters this report's font cannot print (such as Chinese, Japanese or ` +
  'Korean script); the case in the app shows them in full.';

/** Whether a code point can be shown. */
export type GlyphTest = (codePoint: number) => boolean;

/** The characters of Windows-1252 above 0x7f that are not Latin-1's. */
const WIN_ANSI_EXTRA = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ'].map((c) => c.codePointAt(0)!));

/** What pdfkit's built-in fonts (Helvetica, WinAnsi encoding) can show. */
export const winAnsiHas: GlyphTest = (cp) =>
  (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(cp);

/**
 * What the document's current font can show: an embedded TrueType font answers from its own
 * character map; a built-in one shows WinAnsi. pdfkit's types do not describe the fontkit font it
 * keeps on the current font (`_font.font`), so it is read through a narrow type, and a pdfkit that
 * no longer has it makes the report assume every character prints (as before this check).
 */
export function currentFontGlyphTest(doc: PDFKit.PDFDocument): GlyphTest {
  const fontkitFont = (
    doc as unknown as {
      _font?: { font?: { hasGlyphForCodePoint?: (codePoint: number) => boolean } };
    }
  )._font?.font;
  const has = fontkitFont?.hasGlyphForCodePoint;
  if (typeof has !== 'function') return fontkitFont ? () => true : winAnsiHas;
  return (cp) => has.call(fontkitFont, cp);
}

/** Line breaks, tabs and soft formatting that no font draws but every layout understands. */
const LAYOUT_CHARS = new Set([0x09, 0x0a, 0x0d, 0x200b, 0x200c, 0x200d]);

/**
 * `text` with each run of characters `has` cannot show replaced by UNPRINTABLE_MARK (a run, so a
 * name's three Chinese characters read as one gap, not three), and whether any was.
 */
export function markUnprintable(text: string, has: GlyphTest): { text: string; marked: boolean } {
  let marked = false;
  let out = '';
  let inRun = false;
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    if (LAYOUT_CHARS.has(cp) || has(cp)) {
      out += c;
      inRun = false;
    } else if (!inRun) {
      out += UNPRINTABLE_MARK;
      inRun = marked = true;
    }
  }
  return { text: out, marked };
}
