/**
 * Readers' names in anonymised exports (no models needed): each is the reader's keyed pseudonym,
 * "Reader 3f9a2c", the same reader the same one under one installation's key and another under
 * another key; the anonymised SR names its observer, its verifying observer and who checked what
 * by it, never by the real name; the identified SR names them as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import {
  DEIDENTIFICATION_METHOD,
  exportDicomReport,
  type DicomSource,
} from '../../src/reports/dicom-export';
import { sampleEstimate } from './store-fixtures';

const keyA = Buffer.alloc(32, 0x3c);
const keyB = Buffer.alloc(32, 0x4d);
const READER = 'Dr. Verity Quist';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'spv-export-columns-readers-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source: DicomSource = {
  patientId: 'SYNTH-0077',
  patientName: 'Synthetic^Patient',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.300',
  caseIdentity: '9:2026-11-20T08:00:00.000Z:abc123',
  studyDate: '20261120',
  title: 'SYNTH-0077',
  referencedImages: [],
  signedOffBy: READER,
  signedOffAt: '2026-11-27T10:15:00.000Z',
};
const estimate = sampleEstimate(212.4, { inputDoubts: ['views look swapped'] });

/** The SR's raw bytes, its dcmdump and its dsrdump, as one text. */
function srOf(anonymise: boolean): { text: string; dump: string } {
  const bytes = exportDicomReport({
    kind: 'comprehensive-sr',
    pdf: Buffer.from('%PDF-1.3\n%%EOF\n'),
    source,
    estimate,
    checkedAtSignOff: { reader: READER, checked: ['views look swapped'] },
    ...(anonymise ? { anonymise: true, pseudonyms: new Pseudonyms(keyA) } : { anonymise: false }),
  });
  const file = join(dir, `sr-${anonymise}.dcm`);
  writeFileSync(file, bytes);
  const dump = execFileSync('dcmdump', ['-q', file]).toString();
  return {
    dump,
    text: bytes.toString('latin1') + dump + execFileSync('dsrdump', [file]).toString(),
  };
}

const verifyingObserver = (dump: string) =>
  dump.split('\n').find((line) => line.includes('VerifyingObserverName'));

describe("a reader's pseudonym", () => {
  it('is "Reader" and 6 hex digits, the same for the same reader and key, another for another reader or key', () => {
    const a = new Pseudonyms(keyA);
    expect(a.reader(READER)).toMatch(/^Reader [0-9a-f]{6}$/);
    expect(new Pseudonyms(Buffer.from(keyA)).reader(READER)).toBe(a.reader(READER));
    // As the store records a reader's name: trimmed, and case kept (two names, two readers).
    expect(a.reader(` ${READER} `)).toBe(a.reader(READER));
    expect(a.reader('Dr. Other')).not.toBe(a.reader(READER));
    expect(new Pseudonyms(keyB).reader(READER)).not.toBe(a.reader(READER));
  });

  it("leaves the installation's other pseudonyms as they were, and refuses a damaged key", () => {
    const a = new Pseudonyms(keyA);
    const plain = new Pseudonyms(keyA);
    expect(a.patientId('00123456')).toBe(plain.patientId('00123456'));
    expect(a.caseRef(12)).toBe(plain.caseRef(12));
    expect(a.uid('study', source.studyInstanceUid!)).toBe(
      plain.uid('study', source.studyInstanceUid!),
    );
    expect(() => new Pseudonyms(Buffer.alloc(5))).toThrow(/anonymisation key has 5 bytes/);
  });
});

describe("the SR's readers", () => {
  it('are the pseudonym, anonymised: observer, verifying observer and who checked what', () => {
    const pseudonym = new Pseudonyms(keyA).reader(READER);
    const { text, dump } = srOf(true);
    for (const part of ['Verity', 'Quist']) expect(text).not.toContain(part);
    expect(verifyingObserver(dump)).toContain(`[${pseudonym}]`);
    expect(text).toContain(`"Person Observer Name")="${pseudonym}"`);
    expect(text).toContain(`Checked by ${pseudonym} at sign-off: views look swapped.`);
    expect(DEIDENTIFICATION_METHOD.length).toBeLessThanOrEqual(64);
    expect(dump).toContain(`[${DEIDENTIFICATION_METHOD}]`);
  });

  it('are the real name, identified, as before', () => {
    const { text, dump } = srOf(false);
    expect(verifyingObserver(dump)).toContain(`[${READER}]`);
    expect(text).toContain(`"Person Observer Name")="${READER}"`);
    expect(text).toContain(`Checked by ${READER} at sign-off: views look swapped.`);
    expect(text).not.toMatch(/Reader [0-9a-f]{6}/);
  });
});
