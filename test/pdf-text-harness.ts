/** Reading a written PDF back as a reader's tools see it (poppler's pdftotext and pdfinfo). */
import { execFileSync } from 'node:child_process';

/** The PDF's text (pdftotext -layout: a key and its value stay on one line), spaces collapsed. */
export const pdfText = (path: string): string =>
  execFileSync('pdftotext', ['-layout', path, '-']).toString().replace(/\s+/g, ' ');

/** pdfinfo's lines for the PDF: its information dictionary (creation date, producer …). */
export const pdfInfo = (path: string): string => execFileSync('pdfinfo', [path]).toString();
