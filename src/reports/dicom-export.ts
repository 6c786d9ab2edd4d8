/**
 * DICOM exports for PACS: the PDF report as an Encapsulated PDF instance, and the volume as a
 * Comprehensive SR; both in the source study (same Study Instance UID) and referencing the
 * source images. With `anonymise`, patient identifiers are removed (PS3.15 basic profile style):
 * name replaced, id and UIDs replaced by keyed pseudonyms (anon-pseudonyms.ts), birth date, sex,
 * accession and study date dropped, and every date and time of the report's own (creation,
 * content, sign-off) a dummy or left out: they are dates of care too. Every reader's name (the
 * observer, the verifying observer, who checked what at sign-off) is the reader's keyed pseudonym
 * (Pseudonyms.reader), as in the anonymised PDF and session summary.
 * Dates and times are the computer's local ones, with Timezone Offset From UTC (0008,0201).
 */
import { checkFirst } from '../clinical/check-first';
import { limitsForText } from '../clinical/reference-limits';
import {
  checkedAtSignOffText,
  shownVerdict,
  stillToCheck,
  unverifiedVerdictsText,
} from '../clinical/unverified-verdict';
import { createHash, randomUUID } from 'node:crypto';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { LENGTH_KINDS, type Estimate, type Lengths, type Patient } from '../api/contract';
import type { Pseudonyms } from './anon-pseudonyms';

const { DicomMetaDictionary, DicomDict } = dcmjs.data;

export const ENCAPSULATED_PDF_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.104.1';
export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '2.25.230427845183920718304522790185011257863';

export interface DicomSource {
  patientId: string;
  patientName: string | null;
  /**
   * The rest of the source study's patient and study attributes (null: it had none, or the case
   * comes from PNG/JPEG): a report filed into that study in PACS must agree with it.
   */
  patientBirthDate?: string | null;
  patientSex?: string | null;
  studyTime?: string | null;
  accessionNumber?: string | null;
  studyId?: string | null;
  /** The source study's UID; null for cases imported from non-DICOM images. */
  studyInstanceUid: string | null;
  /**
   * What identifies this case in this database and no other (CaseExports.caseIdentity): a case
   * without a source study gets a study UID derived from it, the same on every re-export and
   * different for every case.
   */
  caseIdentity: string;
  studyDate: string | null;
  title: string;
  referencedImages: {
    sopInstanceUid: string;
    sopClassUid: string;
    seriesInstanceUid: string | null;
  }[];
  signedOffBy: string | null;
  signedOffAt: string | null;
}

export type DicomExportRequest = {
  kind: 'encapsulated-pdf' | 'comprehensive-sr';
  /** The report PDF (already anonymised by the caller when `anonymise` is set). */
  pdf: Buffer;
  source: DicomSource;
  estimate: Estimate;
  /**
   * What the case's standing sign-off confirmed having checked (signOffChecks), null when it is
   * not signed off: the SR's verdicts stay unverified until every checkFirst item is confirmed.
   */
  checkedAtSignOff?: { reader: string; checked: readonly string[] } | null;
  /**
   * The patient inputs (age, sex, height) the verdicts were decided for, said in a comment beside
   * them as the PDF's "Limits for" line says it; left out (undefined) where the PDF leaves it out,
   * in an anonymised export.
   */
  limitsFor?: Patient | null;
  /** Fixed clock for tests; now by default. */
  now?: Date;
} & (
  | { anonymise: false }
  // Anonymised only with the installation's key: never an unkeyed hash anyone could recompute.
  | { anonymise: true; pseudonyms: Pseudonyms }
);

/**
 * A UID under 2.25 (UUID-derived), or a stable one derived from `seed`: for identified exports
 * only (an anonymised one uses Pseudonyms.uid, keyed), since anyone can recompute this hash.
 */
export function newUid(seed?: string): string {
  const hex = seed
    ? createHash('sha256').update(seed).digest('hex').slice(0, 32)
    : randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/**
 * What an anonymised export writes where a date or time is Type 1 (it must have a value): PS3.15's
 * "replace with a dummy value". Where empty is allowed, the value is left out instead.
 */
const DUMMY_DATE = '19000101';
const DUMMY_TIME = '000000';

/** What an anonymised export says it did, in De-identification Method (LO: 64 characters at most). */
export const DEIDENTIFICATION_METHOD =
  'Name, dates, sex, accession removed; ids, UIDs, readers: HMAC';

const code = (value: string, scheme: string, meaning: string) => [
  { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning },
];
const SPLEEN = code('78961009', 'SCT', 'Spleen');
const ML = code('mL', 'UCUM', 'mL');
const CM = code('cm', 'UCUM', 'cm');
// No standard concept names these four spleen lengths as the formulas use them: a private scheme.
const LENGTH_CONCEPT: Record<keyof Lengths, ReturnType<typeof code>> = {
  length: code('SPLEEN-LENGTH', '99SPV', 'Spleen length'),
  width: code('SPLEEN-WIDTH', '99SPV', 'Spleen width'),
  thickness: code('SPLEEN-THICKNESS', '99SPV', 'Spleen thickness'),
  craniocaudal: code('SPLEEN-CCL', '99SPV', 'Spleen cranio-caudal length'),
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** DA of the local date. */
function dicomDate(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
}
/** TM of the local time. */
function dicomTime(d: Date): string {
  return `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}
/** The local offset from UTC at `d` as DICOM writes it (+HHMM / -HHMM). */
export function utcOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}
/**
 * DT of the local date and time with its own offset: a sign-off in winter exported in summer
 * keeps its winter offset rather than take the file's Timezone Offset From UTC.
 */
function dicomDateTime(d: Date): string {
  return `${dicomDate(d)}${dicomTime(d)}${utcOffset(d)}`;
}
const ds = (v: number) => Number(v.toFixed(3));

function numItem(
  concept: ReturnType<typeof code>,
  value: number,
  children: NaturalDataset[] = [],
  units = ML,
): NaturalDataset {
  const item: NaturalDataset = {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: concept,
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: units, NumericValue: ds(value) }],
  };
  if (children.length) item.ContentSequence = children;
  return item;
}

function textItem(
  concept: ReturnType<typeof code>,
  text: string,
  relationship = 'CONTAINS',
): NaturalDataset {
  return {
    RelationshipType: relationship,
    ValueType: 'TEXT',
    ConceptNameCodeSequence: concept,
    TextValue: text.slice(0, 1000),
  };
}

/**
 * The observer (TID 1002, a person) when a reader signed off: observation context comes first in
 * the container, before the measurements it applies to.
 */
function observerContext(signedOffBy: string | null): NaturalDataset[] {
  if (!signedOffBy) return [];
  return [
    {
      RelationshipType: 'HAS OBS CONTEXT',
      ValueType: 'CODE',
      ConceptNameCodeSequence: code('121005', 'DCM', 'Observer Type'),
      ConceptCodeSequence: code('121006', 'DCM', 'Person'),
    },
    {
      RelationshipType: 'HAS OBS CONTEXT',
      ValueType: 'PNAME',
      ConceptNameCodeSequence: code('121008', 'DCM', 'Person Observer Name'),
      PersonName: signedOffBy.slice(0, 64),
    },
  ];
}

/**
 * The SR content tree: the observer, the DeepSPV volume (with its interval and finding site), the
 * lengths the formulas used (each saying whether a caliper or the mask gave it), each formula's
 * volume and the classification.
 */
function srContent(
  e: Estimate,
  signedOffBy: string | null,
  checked: { reader: string; checked: readonly string[] } | null,
  limitsFor: Patient | null | undefined,
): NaturalDataset[] {
  const findingSite: NaturalDataset = {
    RelationshipType: 'HAS CONCEPT MOD',
    ValueType: 'CODE',
    ConceptNameCodeSequence: code('363698007', 'SCT', 'Finding Site'),
    ConceptCodeSequence: SPLEEN,
  };
  const method = (meaning: string): NaturalDataset =>
    textItem(code('370129005', 'SCT', 'Measurement Method'), meaning, 'HAS CONCEPT MOD');
  const items: NaturalDataset[] = [
    numItem(code('118565006', 'SCT', 'Volume'), e.volumeMl, [
      findingSite,
      method(`DeepSPV ${e.model}-view estimate from 2D ultrasound`),
      textItem(
        code('111001', 'DCM', 'Algorithm Name'),
        'DeepSPV (SPV Workstation)',
        'HAS PROPERTIES',
      ),
      textItem(code('111003', 'DCM', 'Algorithm Version'), e.modelVersion, 'HAS PROPERTIES'),
    ]),
    // No standard concept names the bounds of a model's interval: a private scheme says it plainly.
    numItem(code('CI95-LOW', '99SPV', 'Spleen volume 95% interval lower bound'), e.ci95Ml[0], [
      findingSite,
    ]),
    numItem(code('CI95-HIGH', '99SPV', 'Spleen volume 95% interval upper bound'), e.ci95Ml[1], [
      findingSite,
    ]),
  ];
  for (const kind of LENGTH_KINDS) {
    const cm = e.lengths[kind];
    if (cm === null) continue;
    const fromCaliper = e.caliperLengths?.[kind] !== undefined && e.caliperLengths?.[kind] !== null;
    // Saved before the app recorded which lengths were the reader's: no claim either way.
    const how =
      e.caliperLengths === undefined
        ? []
        : [method(fromCaliper ? 'Caliper drawn by the reader' : 'Measured on the mask')];
    items.push(numItem(LENGTH_CONCEPT[kind], cm, [findingSite, ...how], CM));
  }
  for (const f of e.formulas) {
    if (f.volumeMl === null) continue;
    items.push(
      numItem(
        code(
          `FORMULA-${f.id.toUpperCase()}`.slice(0, 16),
          '99SPV',
          `Spleen volume, ${f.name} formula`,
        ),
        f.volumeMl,
        [findingSite, method(`${f.expression} (${f.citation})`)],
      ),
    );
  }
  // As in the PDF: verdicts resting on something to check read unverified, with the caveat beside
  // them, until a standing sign-off confirmed every item (then who checked what is said instead).
  const asked = checkFirst(e);
  const toCheck = stillToCheck(asked, checked?.checked ?? null);
  if (toCheck.length > 0)
    items.push(textItem(code('121106', 'DCM', 'Comment'), unverifiedVerdictsText(toCheck)));
  else if (checked && asked.length > 0)
    items.push(
      textItem(code('121106', 'DCM', 'Comment'), checkedAtSignOffText(checked.reader, asked)),
    );
  if (limitsFor !== undefined && e.classification.length > 0)
    items.push(textItem(code('121106', 'DCM', 'Comment'), limitsForText(limitsFor)));
  for (const c of e.classification) {
    const shown = shownVerdict(c.status, toCheck);
    items.push(
      textItem(
        code('121071', 'DCM', 'Finding'),
        `${shown.unverified ? `${shown.label} (unverified)` : c.status}: ${c.limitText}. ${c.detail} (${c.citation})`,
      ),
    );
  }
  return [...observerContext(signedOffBy), ...items];
}

export function exportDicomReport(request: DicomExportRequest): Buffer {
  const now = request.now ?? new Date();
  const src = request.source;
  const anon = request.anonymise;
  const pseudonyms = request.anonymise ? request.pseudonyms : null;
  // Every reader's name, replaced by the reader's keyed pseudonym in an anonymised export.
  const readerName = (name: string) => (pseudonyms ? pseudonyms.reader(name) : name);
  // Every UID the source had, replaced by its keyed pseudonym in an anonymised export.
  const uid = (kind: 'study' | 'series' | 'sop', value: string) =>
    pseudonyms ? pseudonyms.uid(kind, value) : value;
  // A case from non-DICOM images has no study: it gets one of its own, derived from the case so
  // that re-exports land in the same study and two cases (two patients) never share one.
  const studyUid = uid('study', src.studyInstanceUid ?? newUid(`case-study:${src.caseIdentity}`));
  const refs = src.referencedImages.map((r) => ({
    sopInstanceUid: uid('sop', r.sopInstanceUid),
    sopClassUid: r.sopClassUid,
    seriesInstanceUid: r.seriesInstanceUid ? uid('series', r.seriesInstanceUid) : null,
  }));
  const sopClass =
    request.kind === 'encapsulated-pdf' ? ENCAPSULATED_PDF_SOP_CLASS : COMPREHENSIVE_SR_SOP_CLASS;
  const sopInstanceUid = newUid();

  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClass,
    SOPInstanceUID: sopInstanceUid,
    // When the report was made is near the visit (an export follows the reading): an anonymised
    // export has no date of its own (Instance Creation, Type 3: left out; Content, Type 1 in an
    // SR: a dummy), and then no offset from UTC either.
    ...(!anon && {
      InstanceCreationDate: dicomDate(now),
      InstanceCreationTime: dicomTime(now),
    }),
    // The study's own attributes, as the source wrote them (empty, Type 2, where it had none: a
    // case from PNGs has no study date to invent). The study date and time identify the patient's
    // visit: an anonymised export leaves them empty, as the anonymised PDF does.
    StudyDate: anon ? '' : (src.studyDate ?? ''),
    StudyTime: anon ? '' : (src.studyTime ?? ''),
    ContentDate: anon ? DUMMY_DATE : dicomDate(now),
    ContentTime: anon ? DUMMY_TIME : dicomTime(now),
    ...(!anon && { TimezoneOffsetFromUTC: utcOffset(now) }),
    AccessionNumber: anon ? '' : (src.accessionNumber ?? ''),
    Modality: request.kind === 'encapsulated-pdf' ? 'DOC' : 'SR',
    Manufacturer: 'SPV Workstation',
    ReferringPhysicianName: '',
    PatientName: anon ? 'ANONYMOUS' : (src.patientName ?? ''),
    PatientID: pseudonyms ? pseudonyms.patientId(src.patientId) : src.patientId,
    PatientBirthDate: anon ? '' : (src.patientBirthDate ?? ''),
    PatientSex: anon ? '' : (src.patientSex ?? ''),
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: newUid(),
    StudyID: anon ? '' : (src.studyId ?? ''),
    SeriesNumber: request.kind === 'encapsulated-pdf' ? 9901 : 9902,
    InstanceNumber: 1,
    SeriesDescription:
      request.kind === 'encapsulated-pdf' ? 'Spleen volume report (PDF)' : 'Spleen volume (SR)',
  };
  if (anon) {
    dataset.PatientIdentityRemoved = 'YES';
    // LO: at most 64 characters.
    dataset.DeidentificationMethod = DEIDENTIFICATION_METHOD;
    dataset.LongitudinalTemporalInformationModified = 'REMOVED';
  }
  const referencedSeries = groupBySeries(refs);

  if (request.kind === 'encapsulated-pdf') {
    Object.assign(dataset, {
      ConversionType: 'WSD',
      BurnedInAnnotation: 'YES',
      // The title can hold the patient id (imports name cases after it): not in an anonymised export.
      DocumentTitle: anon
        ? 'Spleen volume report'
        : `Spleen volume report — ${src.title}`.slice(0, 64),
      ConceptNameCodeSequence: code('18748-4', 'LN', 'Diagnostic imaging report'),
      // Type 2: empty in an anonymised export (no date of care).
      AcquisitionDateTime: anon ? '' : dicomDateTime(now),
      MIMETypeOfEncapsulatedDocument: 'application/pdf',
      // Type 1C: only when there are source images (a case from PNGs has none to reference).
      ...(refs.length > 0 && {
        SourceInstanceSequence: refs.map((r) => ({
          ReferencedSOPClassUID: r.sopClassUid,
          ReferencedSOPInstanceUID: r.sopInstanceUid,
        })),
      }),
      // OB must have even length: padded with one zero byte; the real length goes in (0042,0015) below.
      EncapsulatedDocument: evenLength(request.pdf),
    });
    dataset._vrMap = { EncapsulatedDocument: 'OB' };
  } else {
    const verified = Boolean(src.signedOffBy && src.signedOffAt);
    Object.assign(dataset, {
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: code('126000', 'DCM', 'Imaging Measurement Report'),
      ContinuityOfContent: 'SEPARATE',
      CompletionFlag: 'COMPLETE',
      VerificationFlag: verified ? 'VERIFIED' : 'UNVERIFIED',
      ContentSequence: srContent(
        request.estimate,
        src.signedOffBy === null ? null : readerName(src.signedOffBy),
        src.signedOffBy !== null && request.checkedAtSignOff
          ? {
              ...request.checkedAtSignOff,
              reader: readerName(request.checkedAtSignOff.reader),
            }
          : null,
        // Age and sex are gone from an anonymised export: so is the line that would repeat them.
        anon ? undefined : request.limitsFor,
      ),
      // Type 1C, and its Referenced Series Sequence is Type 1: left out with no source images.
      ...(referencedSeries.length > 0 && {
        CurrentRequestedProcedureEvidenceSequence: [
          { StudyInstanceUID: studyUid, ReferencedSeriesSequence: referencedSeries },
        ],
      }),
      PerformedProcedureCodeSequence: [],
      ReferencedPerformedProcedureStepSequence: [],
    });
    if (verified) {
      dataset.VerifyingObserverSequence = [
        {
          VerifyingObserverName: readerName(src.signedOffBy!),
          VerifyingObserverIdentificationCodeSequence: [],
          VerifyingOrganization: 'SPV Workstation',
          // Type 1, and the sign-off is a date of care: a dummy in an anonymised export.
          VerificationDateTime: anon
            ? `${DUMMY_DATE}${DUMMY_TIME}`
            : dicomDateTime(new Date(src.signedOffAt!)),
        },
      ];
    }
  }

  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'SPV_WS_0_1',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  if (request.kind === 'encapsulated-pdf') {
    // dcmjs's dictionary predates Encapsulated Document Length: written by tag.
    dict.dict['00420015'] = { vr: 'UL', Value: [request.pdf.length] };
  }
  return Buffer.from(dict.write());
}

function evenLength(bytes: Buffer): ArrayBuffer {
  const out = new Uint8Array(bytes.length + (bytes.length % 2));
  out.set(bytes);
  return out.buffer;
}

function groupBySeries(
  refs: { sopInstanceUid: string; sopClassUid: string; seriesInstanceUid: string | null }[],
): NaturalDataset[] {
  const bySeries = new Map<string, NaturalDataset[]>();
  for (const r of refs) {
    const series = r.seriesInstanceUid ?? newUid(`series-of:${r.sopInstanceUid}`);
    const list = bySeries.get(series) ?? [];
    list.push({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid });
    bySeries.set(series, list);
  }
  return [...bySeries].map(([SeriesInstanceUID, ReferencedSOPSequence]) => ({
    SeriesInstanceUID,
    ReferencedSOPSequence,
  }));
}
