import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../src/reports/anon-pseudonyms';
import { exportDicomReport, type DicomSource } from '../../src/reports/dicom-export';
import { sampleEstimate } from './store-fixtures';

/** An installation's pseudonyms (a fixed key: these tests need no database). */
const pseudonyms = new Pseudonyms(Buffer.alloc(32, 7));
/** The request's anonymisation: with the installation's pseudonyms when anonymised. */
const anonymising = (anonymise: boolean) =>
  anonymise ? ({ anonymise: true, pseudonyms } as const) : ({ anonymise: false } as const);

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'spv-dicom-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source: DicomSource = {
  patientId: 'SYNTH-0042',
  patientName: 'Synthetic^Patient',
  patientBirthDate: '19700101',
  patientSex: 'F',
  studyTime: '120000',
  accessionNumber: 'ACC12345',
  studyId: 'SYNTH0003',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.100',
  caseIdentity: '3:2026-11-20T08:00:00.000Z:abc123',
  studyDate: '20260102',
  title: 'SYNTH-0042 20260102',
  referencedImages: [
    {
      sopInstanceUid: '1.2.826.0.1.3680043.8.498.101',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.110',
    },
    {
      sopInstanceUid: '1.2.826.0.1.3680043.8.498.102',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.110',
    },
  ],
  signedOffBy: 'Dr. Reader',
  signedOffAt: '2026-11-27T10:00:00.000Z',
};
// A stand-in PDF body with the patient's name in it, as the real report has.
const pdf = Buffer.from('%PDF-1.3\n% Synthetic^Patient SYNTH-0042\n%%EOF\n');
const estimate = sampleEstimate(212.4);
/** A case imported from PNGs: no source study, no source images to reference. */
const pngSource: DicomSource = {
  ...source,
  patientBirthDate: null,
  patientSex: null,
  studyTime: null,
  accessionNumber: null,
  studyId: null,
  studyInstanceUid: null,
  studyDate: null,
  referencedImages: [],
};

/** dcmdump's line for a top-level attribute (tag in lower case, e.g. "0008,0020"), or undefined. */
function topLevel(dump: string, tag: string): string | undefined {
  return dump.split('\n').find((l) => l.startsWith(`(${tag})`));
}

/** Runs `fn` with the process's time zone set to `tz` (Node reads TZ again when it changes). */
function inTimeZone<T>(tz: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('DICOM exports', () => {
  it('writes an Encapsulated PDF that dcmdump reads, in the source study, referencing the source images', () => {
    const file = write(
      'pdf.dcm',
      exportDicomReport({ kind: 'encapsulated-pdf', pdf, source, estimate, anonymise: false }),
    );
    const dump = execFileSync('dcmdump', ['-q', file]).toString();
    expect(dump).toContain('=EncapsulatedPDFStorage');
    expect(dump).toMatch(/\(0042,0015\) UL \d+/);
    expect(dump).toMatch(/\(0020,000d\) UI \[1\.2\.826\.0\.1\.3680043\.8\.498\.100\]/);
    expect(dump).toContain('1.2.826.0.1.3680043.8.498.101');
    expect(dump).toMatch(/MIMETypeOfEncapsulatedDocument/);
    expect(dump).toContain('[application/pdf]');
    expect(dump).toContain('[SYNTH-0042]');
  });

  it('writes a Comprehensive SR that dsrdump renders with the volume in mL (UCUM) and the interval', () => {
    const file = write(
      'sr.dcm',
      exportDicomReport({ kind: 'comprehensive-sr', pdf, source, estimate, anonymise: false }),
    );
    execFileSync('dcmdump', ['-q', file]);
    const sr = execFileSync('dsrdump', [file]).toString();
    expect(sr).toContain('Comprehensive SR');
    expect(sr).toContain('Imaging Measurement Report');
    expect(sr).toMatch(/Volume.*="212\.4" \(mL,UCUM,"mL"\)/);
    expect(sr).toMatch(/lower bound.*="169\.92" \(mL,UCUM,"mL"\)/);
    expect(sr).toMatch(/Finding Site.*Spleen/);
    expect(sr).toMatch(/Prassopoulos formula.*\(mL,UCUM,"mL"\)/);
    expect(sr).toContain('VERIFIED');
    expect(sr).toContain('Dr. Reader');
    const dump = execFileSync('dcmdump', ['-q', file]).toString();
    expect(dump).toContain('1.2.826.0.1.3680043.8.498.100');
    expect(dump).toContain('1.2.826.0.1.3680043.8.498.102');
  });

  it('says in the SR, as the PDF does, what the verdicts rest on until a sign-off confirmed it', () => {
    const doubtful = sampleEstimate(167, { inputDoubts: ['views look swapped'] });
    const sr = (name: string, checkedAtSignOff: { reader: string; checked: string[] } | null) =>
      execFileSync('dsrdump', [
        '+Pl', // long text values in full
        write(
          name,
          exportDicomReport({
            kind: 'comprehensive-sr',
            pdf,
            source,
            estimate: doubtful,
            checkedAtSignOff,
            anonymise: false,
          }),
        ),
      ]).toString();
    const unconfirmed = sr('sr-doubtful.dcm', null);
    expect(unconfirmed).toContain(
      'Unverified: these verdicts rest on: views look swapped. Check it first.',
    );
    expect(unconfirmed).toMatch(/Finding.*="normal\? \(unverified\): adult volume/);
    expect(unconfirmed).not.toMatch(/Finding.*="normal: adult/);
    const confirmed = sr('sr-checked.dcm', {
      reader: 'Dr. Reader',
      checked: ['views look swapped'],
    });
    expect(confirmed).toContain('Checked by Dr. Reader at sign-off: views look swapped.');
    expect(confirmed).toMatch(/Finding.*="normal: adult volume/);
  });

  it('anonymised exports carry no patient name or id, and no source UIDs', () => {
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const anonPdf = Buffer.from(
        `%PDF-1.3\n% ANONYMOUS ${pseudonyms.patientId(source.patientId)}\n%%EOF\n`,
      );
      const bytes = exportDicomReport({
        kind,
        pdf: anonPdf,
        source,
        estimate,
        ...anonymising(true),
      });
      const file = write(`${kind}-anon.dcm`, bytes);
      const dump = execFileSync('dcmdump', ['-q', file]).toString();
      const raw = bytes.toString('latin1');
      for (const identifier of [
        'SYNTH-0042',
        'Synthetic^Patient',
        'Synthetic',
        '1.2.826.0.1.3680043.8.498.10',
      ]) {
        expect(raw).not.toContain(identifier);
        expect(dump).not.toContain(identifier);
      }
      expect(dump).toContain('[ANONYMOUS]');
      expect(dump).toContain(`[${pseudonyms.patientId(source.patientId)}]`);
      expect(dump).toMatch(/PatientIdentityRemoved/);
      if (kind === 'comprehensive-sr') execFileSync('dsrdump', [file]);
    }
  });

  it('leaves the reference sequences out for a case from PNGs (no empty Type 1 sequences), and dsrdump reads the SR without complaint', () => {
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const file = write(
        `${kind}-png.dcm`,
        exportDicomReport({ kind, pdf, source: pngSource, estimate, anonymise: false }),
      );
      const dump = execFileSync('dcmdump', ['-q', file]).toString();
      expect(dump).not.toContain('SourceInstanceSequence');
      expect(dump).not.toContain('CurrentRequestedProcedureEvidenceSequence');
      expect(dump).not.toContain('ReferencedSeriesSequence');
      if (kind === 'comprehensive-sr') {
        const sr = spawnSync('dsrdump', [file], { encoding: 'utf8' });
        expect(sr.status).toBe(0);
        // Its only warning is about its own checker (UTF-8 is not checked); before, it also said
        // "ReferencedSeriesSequence (0008,1115) empty in SR document (type 1)".
        const warnings = sr.stderr
          .split('\n')
          .filter((l) => l && !l.includes('does not support this Specific Character Set'));
        expect(warnings).toEqual([]);
      }
    }
    // With source images, the SR still lists them as evidence.
    const withRefs = execFileSync('dcmdump', [
      '-q',
      write(
        'sr-refs.dcm',
        exportDicomReport({ kind: 'comprehensive-sr', pdf, source, estimate, anonymise: false }),
      ),
    ]).toString();
    expect(withRefs).toContain('CurrentRequestedProcedureEvidenceSequence');
  });

  it('gives each case from PNGs a study UID of its own, the same on every re-export', () => {
    const studyUid = (s: DicomSource, anonymise = false) =>
      topLevel(
        execFileSync('dcmdump', [
          '-q',
          write(
            'uid.dcm',
            exportDicomReport({
              kind: 'comprehensive-sr',
              pdf,
              source: s,
              estimate,
              ...anonymising(anonymise),
            }),
          ),
        ]).toString(),
        '0020,000d',
      );
    const first = studyUid(pngSource);
    expect(first).toMatch(/UI \[2\.25\.\d+\]/);
    expect(studyUid(pngSource)).toBe(first);
    // Another patient's case with the same title and id as this one: still another study.
    expect(studyUid({ ...pngSource, caseIdentity: '4:2026-11-20T08:00:01.000Z:def456' })).not.toBe(
      first,
    );
    // Anonymised, the UID is replaced too: it cannot be matched against the identified export.
    expect(studyUid(pngSource, true)).not.toBe(first);
  });

  it('carries the source study’s patient and study attributes, and leaves them out anonymised', () => {
    // Tag, and the value the source study has.
    const carried: [string, string][] = [
      ['0010,0030', '19700101'], // Patient's Birth Date
      ['0010,0040', 'F'], // Patient's Sex
      ['0008,0030', '120000'], // Study Time
      ['0008,0050', 'ACC12345'], // Accession Number
      ['0020,0010', 'SYNTH0003'], // Study ID
    ];
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const dump = (s: DicomSource, anonymise: boolean) =>
        execFileSync('dcmdump', [
          '-q',
          write(
            `${kind}-study.dcm`,
            exportDicomReport({ kind, pdf, source: s, estimate, ...anonymising(anonymise) }),
          ),
        ]).toString();
      const identified = dump(source, false);
      const anon = dump(source, true);
      const fromPng = dump(pngSource, false);
      for (const [tag, value] of carried) {
        expect(topLevel(identified, tag)).toContain(`[${value}]`);
        expect(topLevel(anon, tag)).toMatch(/\(no value available\)/);
        expect(topLevel(fromPng, tag)).toMatch(/\(no value available\)/);
      }
      // A case from PNGs has no study date: none is invented (the export date was written before).
      expect(topLevel(fromPng, '0008,0020')).toMatch(/DA \(no value available\)/);
      expect(topLevel(anon, '0012,0063')).toMatch(/\[.{1,64}\]/); // De-identification Method: LO
    }
  });

  it('leaves the study date out of anonymised exports, as the anonymised PDF does', () => {
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const dump = (anonymise: boolean) =>
        execFileSync('dcmdump', [
          '-q',
          write(
            `${kind}-date.dcm`,
            exportDicomReport({ kind, pdf, source, estimate, ...anonymising(anonymise) }),
          ),
        ]).toString();
      expect(topLevel(dump(false), '0008,0020')).toContain('[20260102]');
      const anon = dump(true);
      expect(topLevel(anon, '0008,0020')).toMatch(/DA \(no value available\)/);
      expect(anon).not.toContain('20260102');
      expect(anon).toMatch(/PatientIdentityRemoved\s*$/m);
    }
  });

  it('writes local dates and times with the offset from UTC, the sign-off with its own offset', () => {
    const dump = inTimeZone('Europe/Berlin', () =>
      execFileSync('dcmdump', [
        '-q',
        write(
          'tz.dcm',
          exportDicomReport({
            kind: 'comprehensive-sr',
            pdf,
            // Signed off in winter (UTC+1), exported on a summer night (UTC+2) that is already
            // the next day in Berlin.
            source: { ...source, signedOffAt: '2025-01-15T10:00:00.000Z' },
            estimate,
            anonymise: false,
            now: new Date('2025-06-30T23:30:00Z'),
          }),
        ),
      ]).toString(),
    );
    expect(topLevel(dump, '0008,0023')).toContain('[20250701]');
    expect(topLevel(dump, '0008,0033')).toContain('[013000]');
    expect(topLevel(dump, '0008,0012')).toContain('[20250701]');
    expect(topLevel(dump, '0008,0013')).toContain('[013000]');
    expect(topLevel(dump, '0008,0201')).toContain('[+0200]');
    expect(dump).toMatch(/\(0040,a030\) DT \[20250115110000\+0100\]/);
  });

  it('records each length with how it was measured, and the observer as a person name', () => {
    const file = write(
      'sr-lengths.dcm',
      exportDicomReport({
        kind: 'comprehensive-sr',
        pdf,
        source,
        estimate: sampleEstimate(212.4, { caliperLengths: { thickness: 4.2 } }),
        anonymise: false,
      }),
    );
    const sr = execFileSync('dsrdump', [file]).toString();
    expect(sr).toMatch(/Spleen length.*="10\.8" \(cm,UCUM,"cm"\)/);
    expect(sr).toMatch(/Spleen cranio-caudal length.*="10\.1" \(cm,UCUM,"cm"\)/);
    const lines = sr.split('\n');
    const methodAfter = (concept: string) =>
      lines[lines.findIndex((l) => l.includes(concept)) + 2] ?? '';
    expect(methodAfter('Spleen thickness')).toContain('Caliper drawn by the reader');
    expect(methodAfter('Spleen width')).toContain('Measured on the mask');
    expect(sr).toContain('<has obs context PNAME:(,,"Person Observer Name")="Dr. Reader">');
  });
});
