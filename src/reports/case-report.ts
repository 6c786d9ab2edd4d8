/**
 * The PDF report of one case (pdfkit): patient and study header, both views with the mask
 * overlay and calipers, the DeepSPV volume with its 95% interval, the formula table with
 * citations, the reference limits and classification, an explanation figure, the model and
 * provider, the reader and sign-off, and the research-use notice. What the estimate asks to check
 * first (checkFirst) is printed at the volume and at the verdicts, and a verdict resting on it is
 * printed as unverified: a swapped case must not read "NORMAL" with its caveat a page away. Once a
 * sign-off confirmed every item, the report says who checked them there instead, and the verdicts
 * stand.
 */
import PDFDocument from 'pdfkit';
import { LENGTH_KINDS, type Estimate, type Lengths, type Patient } from '../api/contract';
import { checkFirst } from '../clinical/check-first';
import { lengthBesideVerdict, limitsForText } from '../clinical/reference-limits';
import {
  checkedAtSignOffText,
  shownVerdict,
  stillToCheck,
  unverifiedVerdictsText,
} from '../clinical/unverified-verdict';
import {
  asciiFallback,
  currentFontGlyphTest,
  findReportFonts,
  markUnprintable,
  UNPRINTABLE_NOTE,
  winAnsiHas,
  type GlyphTest,
} from './pdf-fonts';
import { warningsAsPrinted } from './checked-warnings';
import { readableSignOffTime } from './report-signoff-time';
import type { MaskReview } from './review-state';

export interface ReportView {
  label: string;
  /** PNG of the view with overlay and calipers (figures.ts). */
  figurePng: Buffer;
  width: number;
  height: number;
  spacingText: string;
}

export interface CaseReportData {
  patient: { id: string; name: string | null };
  study: {
    /**
     * The case's id; in an anonymised report, its pseudonymous reference (Pseudonyms.caseRef).
     * Null for a bundled sample (`spv report --sample`): it is estimated on the spot, never stored,
     * so it has no case id, and the header says what it is instead.
     */
    caseId: string | null;
    title: string;
    studyInstanceUid: string | null;
    studyDate: string | null;
  };
  views: ReportView[];
  /** Said under the images (an anonymised report says what of them it blanked). */
  viewsNote?: string | null;
  estimate: Estimate;
  modelHash: string | null;
  /** The final masks: corrected by a reader, the AI's accepted by a reader, or the AI's unreviewed. */
  maskSource: MaskReview;
  reader: string | null;
  signedOffAt: string | null;
  /**
   * What the sign-off of the estimate shown confirmed having checked (its case.sign-off audit
   * entry: who, and its `checked` phrases); null or absent when the case is not signed off (or was
   * unlocked since), or its sign-off was of another estimate. Read only with `signedOffAt` set.
   */
  checkedAtSignOff?: { reader: string; checked: readonly string[] } | null;
  status: string;
  /**
   * The case's images are under each other's view names since import: a reader swapped its views
   * in the app (the pair was imported named the wrong way round). Said in the header when true.
   */
  viewsSwapped?: boolean;
  /** Known true volume (synthetic samples only). */
  referenceVolumeMl: number | null;
  /**
   * The patient inputs the verdicts were decided for (the estimate's: null, none given); absent
   * when not known (an estimate saved before they were kept) or left out (an anonymised report,
   * which carries no sex or birth date).
   */
  limitsFor?: Patient | null;
  explanationPng: Buffer | null;
  explanationText: string | null;
  generatedAt: Date;
  /**
   * An anonymised report: no date or time of its own (when it was made, when it was signed off:
   * both date the patient's care), and the case named by its pseudonymous reference alone.
   */
  anonymised?: boolean;
}

/**
 * The PDF's creation date in an anonymised report: a dummy (1970-01-01), as DICOM's anonymisation
 * writes one; pdfkit needs a date, and hashes it into the file id, where a real time could be found
 * again by trying every millisecond of a day.
 */
const DUMMY_CREATION_DATE = new Date(0);

/** The explanation figure's box (pt), where its text starts, and the block's least height. */
const EXPLANATION_FIGURE_FIT: [number, number] = [230, 165];
const EXPLANATION_TEXT_LEFT = 245;
const EXPLANATION_BLOCK_HEIGHT = 170;

export const RESEARCH_NOTICE =
  'For research use only. Not a medical device; not for diagnosis or treatment decisions. ' +
  'Volumes are estimated by a model trained on synthetic data (DeepSPV method, Yuan et al., Medical Image Analysis 2025) ' +
  'and must be checked by a qualified reader.';

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

const MASK_TEXT: Record<MaskReview, string> = {
  corrected: 'corrected by the reader',
  'ai-accepted': 'AI segmentation accepted by the reader',
  'ai-not-reviewed': 'AI segmentation, not reviewed by a reader',
};

const LENGTH_LABEL: Record<keyof Lengths, string> = {
  length: 'length',
  width: 'width',
  thickness: 'thickness',
  craniocaudal: 'cranio-caudal',
};

/**
 * The report's lengths line. Each length the reader's caliper gave is marked "(caliper)", the
 * others were measured on the mask; an estimate saved before the app recorded which (no
 * caliperLengths) says nothing about it rather than guess. The length is printed with as many
 * digits as its verdict (`classification`) needs to part it from the limit.
 */
export function lengthsLine(
  e: Pick<Estimate, 'lengths' | 'caliperLengths'> & Partial<Pick<Estimate, 'classification'>>,
): string {
  const fromCaliper = (kind: keyof Lengths) =>
    e.caliperLengths?.[kind] !== undefined && e.caliperLengths?.[kind] !== null;
  const shown = (kind: keyof Lengths) => {
    const cm = e.lengths[kind];
    return kind === 'length' && cm !== null
      ? lengthBesideVerdict(cm, e.classification ?? [])
      : fmt(cm);
  };
  const parts = LENGTH_KINDS.map(
    (kind) => `${LENGTH_LABEL[kind]} ${shown(kind)}${fromCaliper(kind) ? ' (caliper)' : ''}`,
  );
  const line = `Lengths (cm): ${parts.join(', ')}`;
  if (e.caliperLengths === undefined) return line;
  return LENGTH_KINDS.some(fromCaliper)
    ? `${line}. (caliper): drawn by the reader; the others measured on the mask.`
    : `${line}, all measured on the mask.`;
}

export async function renderCaseReportPdf(data: CaseReportData): Promise<Buffer> {
  const fonts = findReportFonts();
  const anonymised = data.anonymised ?? false;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: {
      Title: `Spleen volume report — ${data.patient.id}`,
      Author: 'SPV Workstation',
      Subject: 'Spleen volume from 2D ultrasound',
      CreationDate: anonymised ? DUMMY_CREATION_DATE : data.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const left = doc.page.margins.left;
  const contentWidth = doc.page.width - left - doc.page.margins.right;
  // Characters the font has no glyph for (a patient's or reader's name in Chinese script in
  // DejaVu Sans; a Polish Ł in Helvetica) would print as boxes or nothing: each run is marked
  // [?], and a note under the block says what the mark means.
  const regularHas = currentFontGlyphTest(doc.font('regular'));
  let unprinted = false;
  const printable = (s: string, has: GlyphTest) => {
    const marked = markUnprintable(s, has);
    unprinted ||= marked.marked;
    return marked.text;
  };
  const t = (s: string) => printable(fonts.unicode ? s : asciiFallback(s), regularHas);
  // Bold text is in the built-in Helvetica-Bold (WinAnsi).
  const tb = (s: string) => printable(asciiFallback(s), winAnsiHas);
  /** Says what [?] means under the block that printed one; each block says it again. */
  const noteUnprinted = () => {
    if (!unprinted) return;
    doc.font('regular').fontSize(8).fillColor('#555');
    doc.text(UNPRINTABLE_NOTE, left, doc.y, { width: contentWidth }).fillColor('#000');
    unprinted = false;
  };
  const e = data.estimate;
  const asked = checkFirst(e);
  // What is still to check: nothing once the sign-off confirmed every item (a preliminary report,
  // unlocked or never signed off, keeps all of it).
  const signOff = data.signedOffAt !== null ? (data.checkedAtSignOff ?? null) : null;
  const toCheck = stillToCheck(asked, signOff?.checked ?? null);
  const checkedNote =
    signOff !== null && asked.length > 0 && toCheck.length === 0
      ? checkedAtSignOffText(signOff.reader, asked)
      : null;

  // ---- header
  doc.font('bold').fontSize(16).text(tb('Spleen volume report'), left, 40);
  doc
    .font('regular')
    .fontSize(8)
    .fillColor('#555')
    .text(
      t(
        anonymised
          ? 'SPV Workstation · anonymised report (no dates)'
          : `SPV Workstation · generated ${data.generatedAt.toISOString()}`,
      ),
    );
  doc.fillColor('#000').moveDown(0.5);
  const header: [string, string][] = [
    ['Patient ID', data.patient.id],
    ['Patient name', data.patient.name ?? '—'],
    ['Study', studyText(data.study, anonymised)],
    ['Study date', data.study.studyDate ?? '—'],
    ['Study Instance UID', data.study.studyInstanceUid ?? '—'],
    ['Status', data.status],
  ];
  if (data.viewsSwapped)
    header.push([
      'Views',
      "swapped in the app: the coronal and transverse images were imported under each other's names",
    ]);
  keyValues(doc, header, left, contentWidth, t);
  noteUnprinted();

  // ---- views
  doc.moveDown(0.5);
  const viewTop = doc.y;
  const gap = 12;
  const boxW = (contentWidth - gap) / 2;
  const boxH = 170;
  // A caption may take two lines (the scale's origin): what follows starts below the tallest.
  let captionBottom = viewTop + boxH + 16;
  data.views.forEach((view, i) => {
    const x = left + i * (boxW + gap);
    doc.image(view.figurePng, x, viewTop, { fit: [boxW, boxH], align: 'center' });
    doc
      .font('regular')
      .fontSize(8)
      .text(
        t(`${view.label} · ${view.width}×${view.height} px · ${view.spacingText}`),
        x,
        viewTop + boxH + 2,
        { width: boxW, align: 'center' },
      );
    captionBottom = Math.max(captionBottom, doc.y + 4);
  });
  doc.y = captionBottom;
  doc.x = left;
  if (data.viewsNote) doc.font('regular').fontSize(8).text(t(data.viewsNote), left);

  // ---- volume
  doc.moveDown(0.4);
  doc
    .font('bold')
    .fontSize(13)
    .text(tb(`Spleen volume (DeepSPV, ${e.model}-view): ${fmt(e.volumeMl)} mL`), left);
  doc
    .font('regular')
    .fontSize(10)
    .text(
      t(
        `95% interval ${fmt(e.ci95Ml[0])} – ${fmt(e.ci95Ml[1])} mL · mask: ${MASK_TEXT[data.maskSource]}`,
      ),
    );
  doc.text(t(lengthsLine(e)));
  if (toCheck.length > 0)
    doc
      .font('bold')
      .fillColor('#8a1c1c')
      .text(
        tb(
          `Check first: ${toCheck.join('; ')}. The volume and the verdicts below are unverified until checked.`,
        ),
        { width: contentWidth },
      )
      .fillColor('#000')
      .font('regular');
  if (checkedNote) doc.text(t(checkedNote), { width: contentWidth });
  if (data.referenceVolumeMl !== null)
    doc.text(t(`True volume of this synthetic sample: ${fmt(data.referenceVolumeMl)} mL`));

  // ---- formulas
  doc.moveDown(0.5);
  // The heading stays with the table's head and first row.
  if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.font('bold').fontSize(11).text(tb('Length-based formulas'), left);
  // "vs DeepSPV" wide enough for "−131.0 (−53%)" on one line.
  const cols = [110, 120, 45, 72, contentWidth - 347];
  table(
    doc,
    ['Formula', 'Expression', 'mL', 'vs DeepSPV', 'Citation'],
    e.formulas.map((f) => [
      f.name,
      f.expression,
      f.volumeMl === null ? 'n/a' : fmt(f.volumeMl),
      f.volumeMl === null ? (f.unavailableReason ?? '') : differenceText(f.volumeMl, e.volumeMl),
      f.citation,
    ]),
    cols,
    left,
    t,
  );

  // ---- reference limits
  doc.moveDown(0.5);
  doc.font('bold').fontSize(11).text(tb('Reference limits and classification'), left);
  doc.font('regular').fontSize(9);
  if (toCheck.length > 0 && e.classification.length > 0)
    doc
      .font('bold')
      .fillColor('#8a1c1c')
      .text(tb(unverifiedVerdictsText(toCheck)), left, doc.y, {
        width: contentWidth,
      })
      .fillColor('#000')
      .font('regular');
  if (checkedNote && e.classification.length > 0)
    doc.text(t(checkedNote), left, doc.y, { width: contentWidth });
  if (data.limitsFor !== undefined && e.classification.length > 0)
    doc.text(t(limitsForText(data.limitsFor)), left, doc.y, { width: contentWidth });
  for (const c of e.classification) {
    const v = shownVerdict(c.status, toCheck);
    const status = v.unverified ? `${v.label.toUpperCase()} (UNVERIFIED)` : c.status.toUpperCase();
    doc.text(t(`${status} — ${c.limitText}. ${c.detail} (${c.citation})`), left, doc.y, {
      width: contentWidth,
    });
  }
  if (e.warnings.length) {
    doc.moveDown(0.3).font('bold').text(tb('Warnings'), left);
    doc.font('regular');
    // Once the sign-off settled every item, the warnings about them say who checked them.
    const confirmed = checkedNote !== null ? signOff : null;
    for (const w of warningsAsPrinted(e, confirmed)) doc.text(t(`• ${w}`), { width: contentWidth });
  }

  // ---- explanation
  if (data.explanationPng) {
    // The figure and its text stay together: on this page when the block fits above the bottom
    // margin, measured (a fixed guard sent it to page 2 with a quarter of page 1 still free).
    const heading = tb('How the model sees this case');
    const text = t(data.explanationText ?? '');
    const textWidth = contentWidth - EXPLANATION_TEXT_LEFT;
    doc.font('regular').fontSize(9);
    const gap = doc.currentLineHeight() * 0.5;
    const textHeight =
      doc.font('bold').fontSize(11).heightOfString(heading, { width: textWidth }) +
      doc.font('regular').fontSize(9).heightOfString(text, { width: textWidth });
    const blockHeight = Math.max(EXPLANATION_BLOCK_HEIGHT, textHeight);
    if (doc.y + gap + blockHeight > doc.page.height - doc.page.margins.bottom) doc.addPage();
    else doc.moveDown(0.5);
    const top = doc.y;
    doc.image(data.explanationPng, left, top, { fit: EXPLANATION_FIGURE_FIT });
    doc
      .font('bold')
      .fontSize(11)
      .text(heading, left + EXPLANATION_TEXT_LEFT, top, { width: textWidth });
    doc
      .font('regular')
      .fontSize(9)
      .text(text, left + EXPLANATION_TEXT_LEFT, doc.y, { width: textWidth });
    doc.y = Math.max(doc.y, top + EXPLANATION_BLOCK_HEIGHT);
    doc.x = left;
  }

  // ---- model, reader, notice
  if (doc.y + 110 > doc.page.height - 40) doc.addPage();
  doc.moveDown(0.5);
  keyValues(
    doc,
    [
      [
        'Model',
        `${e.modelVersion}${data.modelHash ? ` (sha256 ${data.modelHash.slice(0, 16)}…)` : ''}`,
      ],
      ['Execution provider', e.provider],
      ['Reader', data.reader ?? '—'],
      ['Signed off', signOffText(data.signedOffAt, anonymised)],
    ],
    left,
    contentWidth,
    t,
  );
  noteUnprinted();
  doc.moveDown(0.6);
  doc
    .font('bold')
    .fontSize(8)
    .fillColor('#8a1c1c')
    .text(tb(RESEARCH_NOTICE), left, doc.y, { width: contentWidth });
  doc.fillColor('#000');
  doc.end();
  return done;
}

/**
 * A formula's volume against DeepSPV's, in mL and percent, each with the same sign written as a
 * sign ("−42.9 (−17%)"): not a typographic minus beside a hyphen, which reads as two numbers.
 */
export function differenceText(formulaMl: number, deepSpvMl: number): string {
  const difference = formulaMl - deepSpvMl;
  const sign = difference >= 0 ? '+' : '−';
  const percent = Math.abs((difference / deepSpvMl) * 100);
  return `${sign}${fmt(Math.abs(difference))} (${sign}${fmt(percent, 0)}%)`;
}

/** The header's Study line: the case's title and id, its pseudonym alone, or what a sample is. */
function studyText(study: CaseReportData['study'], anonymised: boolean): string {
  if (study.caseId === null) return `${study.title} (bundled sample, not stored)`;
  return anonymised
    ? `${study.caseId} (anonymised case reference)`
    : `${study.title} (case ${study.caseId})`;
}

/**
 * When the case was signed off, as read on paper ("2 Dec 2026, 03:28 UTC"); anonymised, only
 * whether it was (the time dates the care).
 */
function signOffText(signedOffAt: string | null, anonymised: boolean): string {
  if (signedOffAt === null) return 'not signed off (preliminary)';
  return anonymised
    ? 'signed off (date and time left out: anonymised)'
    : readableSignOffTime(signedOffAt);
}

function keyValues(
  doc: PDFKit.PDFDocument,
  rows: [string, string][],
  left: number,
  width: number,
  t: (s: string) => string,
): void {
  doc.fontSize(9);
  for (const [k, v] of rows) {
    const y = doc.y;
    doc.font('bold').text(asciiFallback(k), left, y, { width: 110 });
    doc.font('regular').text(t(v), left + 115, y, { width: width - 115 });
  }
}

function table(
  doc: PDFKit.PDFDocument,
  head: string[],
  rows: string[][],
  widths: number[],
  left: number,
  t: (s: string) => string,
): void {
  const pageBottom = () => doc.page.height - doc.page.margins.bottom;
  const draw = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(8);
    const texts = cells.map((cell) => (bold ? asciiFallback(cell) : t(cell)));
    // A row is drawn whole on one page: pdfkit would carry each overflowing cell to a new page of
    // its own, one cell a page. A row that does not fit starts the next page, under the head.
    const height = Math.max(
      ...texts.map((text, i) => doc.heightOfString(text, { width: widths[i] - 4 })),
    );
    if (doc.y + height > pageBottom()) {
      doc.addPage();
      if (!bold) draw(head, true);
      doc.font(bold ? 'bold' : 'regular').fontSize(8);
    }
    const y = doc.y;
    let x = left;
    let bottom = y;
    texts.forEach((text, i) => {
      doc.text(text, x, y, { width: widths[i] - 4 });
      bottom = Math.max(bottom, doc.y);
      x += widths[i];
    });
    doc.y = bottom + 2;
    doc
      .moveTo(left, doc.y - 1)
      .lineTo(left + widths.reduce((a, b) => a + b, 0), doc.y - 1)
      .strokeColor('#ccc')
      .stroke();
  };
  draw(head, true);
  for (const row of rows) draw(row, false);
  doc.x = left;
}
