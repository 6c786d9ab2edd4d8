/**
 * Cross-check with an independent DICOM writer: files written by dcmjs (not by our test writer)
 * decode with the right pixels, ultrasound-region calibration and identifiers.
 */
// Types of dcmjs come from src/reports/dcmjs.d.ts (dcmjs ships none).
import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { decodeImageBuffer } from '../../src/decode';

const { DicomMetaDictionary, DicomDict } = dcmjs.data;

const W = 20;
const H = 10;

function writeWithDcmjs(dataset: Record<string, unknown>, transferSyntax: string): Buffer {
  const meta = {
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.9',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

function ultrasoundDataset(
  pixels: Uint8Array,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.6.1',
    SOPInstanceUID: '1.2.826.0.1.3680043.8.498.10',
    StudyInstanceUID: '1.2.826.0.1.3680043.8.498.11',
    Modality: 'US',
    PatientID: 'SYNTH-0002',
    Rows: H,
    Columns: W,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: pixels.buffer,
    _vrMap: { PixelData: 'OB' },
    ...extra,
  };
}

describe('DICOM written by dcmjs', () => {
  const pixels = new Uint8Array(W * H).map((_, i) => (i * 9) % 256);

  it('decodes pixels, ultrasound regions and identifiers (explicit VR little endian)', async () => {
    const regions = {
      SequenceOfUltrasoundRegions: [
        {
          RegionSpatialFormat: 1,
          RegionDataType: 1,
          RegionFlags: 0,
          RegionLocationMinX0: 0,
          RegionLocationMinY0: 0,
          RegionLocationMaxX1: W - 1,
          RegionLocationMaxY1: H - 1,
          PhysicalUnitsXDirection: 3,
          PhysicalUnitsYDirection: 3,
          PhysicalDeltaX: 0.025,
          PhysicalDeltaY: 0.03,
        },
      ],
    };
    const buf = writeWithDcmjs(ultrasoundDataset(pixels, regions), '1.2.840.10008.1.2.1');
    const d = await decodeImageBuffer(buf, 'dcmjs.dcm');
    expect(Array.from(d.grey.data)).toEqual(Array.from(pixels));
    expect(d.calibration?.source).toBe('ultrasound-regions');
    expect(d.calibration?.spacingX).toBeCloseTo(0.25, 12);
    expect(d.calibration?.spacingY).toBeCloseTo(0.3, 12);
    expect(d.meta).toMatchObject({
      patientId: 'SYNTH-0002',
      modality: 'US',
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.11',
    });
  });

  it('decodes Pixel Spacing as row (y) \\ column (x)', async () => {
    const buf = writeWithDcmjs(
      ultrasoundDataset(pixels, { PixelSpacing: [0.5, 0.2] }),
      '1.2.840.10008.1.2.1',
    );
    const d = await decodeImageBuffer(buf, 'dcmjs-ps.dcm');
    expect(d.calibration).toMatchObject({ source: 'pixel-spacing', spacingX: 0.2, spacingY: 0.5 });
  });
});
