/**
 * Minimal RFC 4180 CSV reading and writing for the sample indexes and batch results: quoted fields,
 * doubled quotes, CRLF or LF. No dependency needed for files this simple.
 */

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const input = text.replace(/^\uFEFF/, '');
  while (i < input.length) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      field = '';
      if (row.some((cell) => cell !== '')) rows.push(row);
      row = [];
      if (ch === '\r' && input[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  row.push(field);
  if (row.some((cell) => cell !== '')) rows.push(row);
  return rows;
}

/** Rows as records keyed by the header (trimmed). */
export function parseCsvRecords(text: string): {
  header: string[];
  records: Record<string, string>[];
} {
  const [header = [], ...rows] = parseCsv(text);
  const names = header.map((name) => name.trim());
  const records = rows.map((row) =>
    Object.fromEntries(names.map((name, i) => [name, (row[i] ?? '').trim()])),
  );
  return { header: names, records };
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsvRow(values: readonly (string | number | null | undefined)[]): string {
  return values
    .map((value) => quote(value === null || value === undefined ? '' : String(value)))
    .join(',');
}
