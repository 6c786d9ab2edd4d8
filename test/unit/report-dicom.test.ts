import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anonymousPatientId,
  exportDicomReport,
  type DicomSource,
} from '../../src/reports/dicom-export';
import { sampleEstimate } from './store-fixtures';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'spv-dicom-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source: DicomSource = {
  patientId: 'SYNTH-0042',
  patientName: 'Synthetic^Patient',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.100',
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

  it('anonymised exports carry no patient name or id, and no source UIDs', () => {
    for (const kind of ['encapsulated-pdf', 'comprehensive-sr'] as const) {
      const anonPdf = Buffer.from(
        `%PDF-1.3\n% ANONYMOUS ${anonymousPatientId(source.patientId)}\n%%EOF\n`,
      );
      const bytes = exportDicomReport({ kind, pdf: anonPdf, source, estimate, anonymise: true });
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
      expect(dump).toContain(`[${anonymousPatientId(source.patientId)}]`);
      expect(dump).toMatch(/PatientIdentityRemoved/);
      if (kind === 'comprehensive-sr') execFileSync('dsrdump', [file]);
    }
  });
});
