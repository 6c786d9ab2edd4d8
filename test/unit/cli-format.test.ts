import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { computeFormulas } from '../../src/clinical/formulas';
import { classify } from '../../src/clinical/reference-limits';
import type { DetailedEstimate } from '../../src/engine/estimator';
import { estimateJson, formatEstimateTable } from '../../src/cli/format';
import { ProgressBar } from '../../src/cli/progress';
import { UsageError, asUsageError, parsePositiveNumber } from '../../src/cli/usage';
import { parseArgs } from 'node:util';

function estimate(lengths: DetailedEstimate['lengths']): DetailedEstimate {
  return {
    volumeMl: 212.4,
    ci95Ml: [180.2, 250.9],
    model: 'single',
    modelVersion: 'v-test',
    provider: 'cpu',
    lengths,
    formulas: computeFormulas(lengths, { lengthOnly: { intercept_ml: -250, slope_ml_per_cm: 40 } }),
    classification: classify(212.4, lengths, null),
    warnings: [
      'The coronal mask touches the image border: the spleen may be cut off and its volume underestimated.',
    ],
    uncertainOutline: [],
    inputDoubts: [],
    elapsedMs: 12.3,
    measuredLengths: { ...lengths, coronalWidth: 5.1 },
    mahalanobis: 3.2,
    distanceThreshold: 9,
    y0: 0.1,
    mu: new Float32Array(4),
  };
}

describe('estimate JSON', () => {
  it('has the documented keys, omitting lengths that were not measured', () => {
    const json = estimateJson(
      estimate({ length: 11.04, width: null, thickness: null, craniocaudal: 10.5 }),
      {
        caseLabel: 'x',
        trueVolumeMl: 200,
        patient: {},
      },
    );
    expect(json).toMatchObject({
      volume_ml: 212.4,
      ci95_ml: [180.2, 250.9],
      model: 'single',
      provider: 'cpu',
      lengths_cm: { length: 11.04 },
      formulas: { ellipsoid: null, prassopoulos: null, yetter: null, length_only: 191.6 },
      true_volume_ml: 200,
    });
    expect(json.lengths_cm).not.toHaveProperty('width');
    // Nothing given of the patient: said, not left out (the verdicts then assume an adult).
    expect(json.patient).toEqual({
      age_years: null,
      sex: null,
      height_cm: null,
      from_dicom_header: [],
    });
    expect(json.warnings).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json); // plain JSON, no typed arrays
  });
});

describe('estimate table', () => {
  it('shows the volume, interval, true volume, every formula with its citation, and warnings', () => {
    const table = formatEstimateTable(
      estimate({ length: 11, width: 7, thickness: 4, craniocaudal: 10 }),
      {
        caseLabel: 'sample-03',
        trueVolumeMl: 195,
        patient: {},
      },
    );
    expect(table).toMatch(/Volume\s+212 mL {2}\(95% interval 180 mL – 251 mL\)/);
    expect(table).toMatch(/True volume\s+195 mL \(synthetic sample; inside the interval\)/);
    expect(table).toMatch(/Prassopoulos \(Prassopoulos 1997\)\s+209 mL/);
    expect(table).toMatch(/ellipsoid \(π\/6 ellipsoid\)\s+161 mL/);
    expect(table).toMatch(/Yetter \(Yetter 2003\)\s+154 mL/);
    expect(table).toMatch(/! The coronal mask touches the image border/);
    expect(table).not.toMatch(/these rest on/);
    expect(table).toMatch(/Patient\s+not given \(--age, --sex, --height\)/);
  });

  it('says which patient the verdicts were decided for, in the table and the JSON', () => {
    const lengths = { length: 11, width: 7, thickness: 4, craniocaudal: 10 };
    const context = {
      caseLabel: 'sample-03',
      trueVolumeMl: null,
      patient: { ageYears: 9, sex: 'female' as const, heightCm: 131 },
    };
    expect(formatEstimateTable(estimate(lengths), context)).toMatch(
      /Patient\s+age 9 years · female · height 131 cm\n/,
    );
    expect(estimateJson(estimate(lengths), context).patient).toEqual({
      age_years: 9,
      sex: 'female',
      height_cm: 131,
      from_dicom_header: [],
    });
    // Age and sex taken from the coronal image's DICOM header: said so, with how to change them.
    const fromHeader = { ...context, patientFromHeader: ['ageYears', 'sex'] as const };
    expect(formatEstimateTable(estimate(lengths), fromHeader)).toMatch(
      /Patient\s+age 9 years · female · height 131 cm \(age and sex from the DICOM header; --age, --sex to change\)\n/,
    );
    expect(estimateJson(estimate(lengths), fromHeader).patient.from_dicom_header).toEqual([
      'age_years',
      'sex',
    ]);
  });

  it('says under the reference verdicts what they rest on that needs checking', () => {
    const doubtful = {
      ...estimate({ length: 7, width: 11, thickness: 4, craniocaudal: 7 }),
      uncertainOutline: ['transverse' as const],
      inputDoubts: ['views look swapped'],
    };
    const table = formatEstimateTable(doubtful, {
      caseLabel: 'x',
      trueVolumeMl: null,
      patient: {},
    });
    const reference = table.slice(table.indexOf('Reference'), table.indexOf('\nWarnings'));
    expect(reference).toMatch(
      /! these rest on: views look swapped; uncertain AI transverse outline\. Check the inputs first \(see Warnings\)\./,
    );
    // The verdicts themselves read unverified, as in the app and the report.
    expect(reference).toMatch(/\n {2}normal\? +adult volume ≤ 314 mL/);
    expect(reference).not.toMatch(/\n {2}normal +adult/);
    expect(
      estimateJson(doubtful, { caseLabel: 'x', trueVolumeMl: null, patient: {} }),
    ).toMatchObject({
      check_first: ['views look swapped', 'uncertain AI transverse outline'],
      uncertain_outline: ['transverse'],
      input_doubts: ['views look swapped'],
    });
  });
});

describe('the lengths row beside the verdicts', () => {
  it('prints the length with the digits its verdict needs, the others with one', () => {
    const table = formatEstimateTable(
      estimate({ length: 13.0241, width: 8.46, thickness: 5.31, craniocaudal: 13.0241 }),
      { caseLabel: 'x', trueVolumeMl: null, patient: {} },
    );
    expect(table).toMatch(/Lengths +length 13\.02 cm · width 8\.5 cm · thickness 5\.3 cm/);
    expect(table).toMatch(/13\.02 cm is above the limit/);
    const plain = formatEstimateTable(
      estimate({ length: 11.04, width: 7, thickness: 4, craniocaudal: 11 }),
      { caseLabel: 'x', trueVolumeMl: null, patient: {} },
    );
    expect(plain).toMatch(/Lengths +length 11\.0 cm/);
  });
});

describe('usage', () => {
  it('turns parseArgs errors into usage errors and checks numbers', () => {
    let caught: unknown;
    try {
      parseArgs({ args: ['--nope'], options: {}, strict: true });
    } catch (error) {
      caught = error;
    }
    expect(asUsageError(caught)).toBeInstanceOf(UsageError);
    expect(asUsageError(new Error('other'))).toBeNull();
    expect(parsePositiveNumber('spacing', '0.5')).toBe(0.5);
    expect(() => parsePositiveNumber('spacing', 'wide')).toThrow(
      /--spacing needs a positive number/,
    );
  });
});

describe('progress bar', () => {
  it('writes a few lines when stderr is not a terminal', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
    const bar = new ProgressBar(8, stream, 8);
    for (let i = 1; i <= 8; i++) bar.tick(`case-${i}`);
    bar.done();
    const lines = text.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.at(-1)).toBe('[########] 8/8 case-8');
  });
});
