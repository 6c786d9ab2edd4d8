/**
 * Anonymised exports' pseudonyms are keyed (HMAC-SHA-256 with the installation's key), and the
 * anonymised DICOM carries neither the real UIDs nor the unkeyed hashes of them that anyone could
 * recompute from a list of patient ids or study UIDs, nor a date of care.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { exportDicomReport, newUid, type DicomSource } from '../../src/reports/dicom-export';
import { sampleEstimate } from './store-fixtures';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'spv-anon-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);

const source: DicomSource = {
  patientId: '00123456',
  patientName: 'Doe^Jane',
  patientBirthDate: '19700101',
  patientSex: 'F',
  studyTime: '093000',
  accessionNumber: 'ACC777',
  studyId: 'S777',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.200',
  caseIdentity: '7:2026-11-20T08:00:00.000Z:abc123',
  studyDate: '20261120',
  title: '00123456 20261120',
  referencedImages: [
    {
      sopInstanceUid: '1.2.826.0.1.3680043.8.498.201',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.210',
    },
  ],
  signedOffBy: 'Dr. Reader',
  signedOffAt: '2026-11-27T10:15:00.000Z',
};
const pdf = Buffer.from('%PDF-1.3\n% anonymised stand-in\n%%EOF\n');
const estimate = sampleEstimate(212.4);
/** Exported on another day than the sign-off, so that either date would show. */
const exportedAt = new Date('2026-12-03T14:45:00Z');

/** The patient id the export wrote before: an unkeyed SHA-256 anyone can recompute. */
const unkeyedPatientId = (id: string) =>
  `ANON-${createHash('sha256').update(`spv-anon:${id}`).digest('hex').slice(0, 10).toUpperCase()}`;

function anonymisedDicom(kind: 'encapsulated-pdf' | 'comprehensive-sr', s = source): string {
  const bytes = exportDicomReport({
    kind,
    pdf,
    source: s,
    estimate,
    anonymise: true,
    pseudonyms: new Pseudonyms(keyA),
    now: exportedAt,
  });
  const file = join(dir, `${kind}.dcm`);
  writeFileSync(file, bytes);
  return bytes.toString('latin1') + execFileSync('dcmdump', ['-q', file]).toString();
}

describe('anonymised pseudonyms', () => {
  it('are the same for the same key and differ with another key (another installation)', () => {
    const a = new Pseudonyms(keyA);
    const again = new Pseudonyms(Buffer.from(keyA));
    const b = new Pseudonyms(keyB);
    expect(a.patientId('00123456')).toMatch(/^ANON-[0-9A-F]{12}$/);
    expect(again.patientId('00123456')).toBe(a.patientId('00123456'));
    expect(b.patientId('00123456')).not.toBe(a.patientId('00123456'));
    expect(a.caseRef(7)).toMatch(/^CASE-[0-9A-F]{10}$/);
    expect(again.caseRef('7')).toBe(a.caseRef(7));
    expect(b.caseRef(7)).not.toBe(a.caseRef(7));
    expect(a.uid('study', source.studyInstanceUid!)).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(b.uid('study', source.studyInstanceUid!)).not.toBe(
      a.uid('study', source.studyInstanceUid!),
    );
    // Two patients, and one value in two roles, never share a pseudonym.
    expect(a.patientId('00123457')).not.toBe(a.patientId('00123456'));
    expect(a.uid('series', source.studyInstanceUid!)).not.toBe(
      a.uid('study', source.studyInstanceUid!),
    );
    // Not the unkeyed hash of before.
    expect(a.patientId('00123456').slice(0, 15)).not.toBe(unkeyedPatientId('00123456'));
  });

  it('refuse a damaged key, saying what to do, rather than pseudonymise with it', () => {
    expect(() => new Pseudonyms(Buffer.alloc(5))).toThrow(
      /5 bytes instead of 32: it is damaged.*Restore the cases database from a backup/,
    );
  });

  it('keep the key out of the object: it cannot leak through JSON or a log', () => {
    const a = new Pseudonyms(keyA);
    expect(JSON.stringify(a)).not.toContain('a1a1');
    expect(Object.values(a)).toEqual([]);
  });
});

describe('anonymised DICOM exports', () => {
  it('carry the keyed pseudonyms, not the real UIDs nor the unkeyed hashes of them', () => {
    const keyed = new Pseudonyms(keyA);
    const image = source.referencedImages[0];
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const text = anonymisedDicom(kind);
      // What an export wrote before this fix, computable from the real values without any key.
      for (const unkeyed of [
        unkeyedPatientId(source.patientId),
        newUid(`study:${source.studyInstanceUid}`),
        newUid(`sop:${image.sopInstanceUid}`),
        newUid(`series:${image.seriesInstanceUid}`),
        source.patientId,
        source.studyInstanceUid!,
        image.sopInstanceUid,
        image.seriesInstanceUid!,
      ])
        expect(text).not.toContain(unkeyed);
      expect(text).toContain(keyed.patientId(source.patientId));
      expect(text).toContain(keyed.uid('study', source.studyInstanceUid!));
      expect(text).toContain(keyed.uid('sop', image.sopInstanceUid));
      if (kind === 'comprehensive-sr')
        expect(text).toContain(keyed.uid('series', image.seriesInstanceUid!));
      // Another installation's export of the same study cannot be matched to this one.
      expect(text).not.toContain(new Pseudonyms(keyB).uid('study', source.studyInstanceUid!));
    }
    // A case from PNGs: its own study UID is derived from the case, then keyed too.
    const png = { ...source, studyInstanceUid: null, referencedImages: [] };
    const ownStudy = newUid(`case-study:${png.caseIdentity}`);
    const text = anonymisedDicom('comprehensive-sr', png);
    expect(text).not.toContain(ownStudy);
    expect(text).not.toContain(newUid(`study:${ownStudy}`));
    expect(text).toContain(keyed.uid('study', ownStudy));
  });

  it('carry no date or time of care: neither the sign-off nor when the report was made', () => {
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const text = anonymisedDicom(kind);
      for (const date of ['20261127', '20261203', '20261120']) expect(text).not.toContain(date);
      // No date, time or date-time attribute holds the year either (the UIDs are random digits).
      expect(text).not.toMatch(/ (DA|DT|TM) \[[^\]]*2026/);
      expect(text).not.toMatch(/\(0008,0012\)/); // Instance Creation Date: left out
      expect(text).not.toMatch(/\(0008,0201\)/); // Timezone Offset From UTC: no time to qualify
      expect(text).toMatch(/\(0008,0023\) DA \[19000101\]/); // Content Date: a dummy (Type 1)
      expect(text).toMatch(/\(0028,0303\) CS \[REMOVED\]/); // Longitudinal Temporal Info Modified
      if (kind === 'comprehensive-sr') {
        // Still verified, but the verification time is a dummy.
        expect(text).toMatch(/\(0040,a030\) DT \[19000101000000\]/);
        expect(text).toContain('VERIFIED');
      } else {
        expect(text).toMatch(/\(0008,002a\) DT \(no value available\)/);
      }
    }
  });

  it('leave identified exports with their real dates and UIDs', () => {
    const bytes = exportDicomReport({
      kind: 'comprehensive-sr',
      pdf,
      source,
      estimate,
      anonymise: false,
      now: exportedAt,
    });
    const file = join(dir, 'identified.dcm');
    writeFileSync(file, bytes);
    const dump = execFileSync('dcmdump', ['-q', file]).toString();
    expect(dump).toContain(`[${source.studyInstanceUid}]`);
    expect(dump).toContain(`[${source.patientId}]`);
    expect(dump).toMatch(/\(0008,0012\) DA \[20261203\]/);
    expect(dump).toMatch(/\(0040,a030\) DT \[20261127/);
    expect(dump).toMatch(/\(0008,0201\)/);
    expect(dump).not.toContain('PatientIdentityRemoved');
  });
});
