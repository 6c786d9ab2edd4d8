import { describe, it, expect } from 'vitest';
import { FORMULAS, computeFormulas, formulaById } from '../../src/clinical/formulas';
import { classify, lengthLimitFor } from '../../src/clinical/reference-limits';

const context = { lengthOnly: { intercept_ml: -250, slope_ml_per_cm: 40 } };
const full = { length: 11, width: 7, thickness: 4, craniocaudal: 10 };

function volumes(lengths: Parameters<typeof computeFormulas>[0]) {
  return Object.fromEntries(computeFormulas(lengths, context).map((f) => [f.id, f.volumeMl]));
}

describe('clinical formulas', () => {
  it('computes each formula by hand', () => {
    const v = volumes(full);
    expect(v.ellipsoid).toBeCloseTo(0.523 * 308, 10); // 161.084
    expect(v.prassopoulos).toBeCloseTo(30 + 0.58 * 308, 10); // 208.64
    expect(v.yetter).toBeCloseTo((0.524 * 7 * 4 * 21) / 2, 10); // 154.056
    expect(v.length_only).toBeCloseTo(-250 + 40 * 11, 10); // 190
  });

  it('keeps one table with a citation and the lengths each formula needs', () => {
    expect(FORMULAS.map((f) => f.id)).toEqual([
      'ellipsoid',
      'prassopoulos',
      'yetter',
      'length_only',
    ]);
    for (const f of FORMULAS) {
      expect(f.citation.length).toBeGreaterThan(10);
      expect(f.requires.length).toBeGreaterThan(0);
    }
    expect(formulaById('prassopoulos')?.citation).toContain('Eur Radiol 1997;7:246');
    expect(formulaById('yetter')?.citation).toContain('AJR 2003;181:1615');
  });

  it('says which lengths are missing instead of inventing a number', () => {
    const results = computeFormulas(
      { length: 11, width: null, thickness: null, craniocaudal: 10 },
      context,
    );
    const ellipsoid = results.find((f) => f.id === 'ellipsoid');
    expect(ellipsoid?.volumeMl).toBeNull();
    expect(ellipsoid?.unavailableReason).toMatch(/width.*thickness.*transverse/);
    expect(results.find((f) => f.id === 'length_only')?.volumeMl).toBeCloseTo(190, 10);
  });

  it('refuses zero or negative lengths', () => {
    expect(volumes({ ...full, width: 0 }).ellipsoid).toBeNull();
    expect(volumes({ ...full, thickness: -1 }).prassopoulos).toBeNull();
  });

  it('lists no volume where the length-only line falls to zero or below (a short spleen)', () => {
    // context: −250 + 40·L, so L = 6 cm gives −10 mL and L = 6.25 cm exactly 0.
    for (const length of [6, 6.25]) {
      const result = computeFormulas({ ...full, length }, context).find(
        (f) => f.id === 'length_only',
      );
      expect(result?.volumeMl).toBeNull();
      expect(result?.unavailableReason).toMatch(
        /gives -?\d+ mL for these lengths, which is not a volume/,
      );
    }
    expect(volumes({ ...full, length: 6.5 }).length_only).toBeCloseTo(10, 10);
  });

  it('has no length-only number without manifest coefficients', () => {
    const result = computeFormulas(full, { lengthOnly: null }).find((f) => f.id === 'length_only');
    expect(result?.volumeMl).toBeNull();
    expect(result?.unavailableReason).toMatch(/manifest/);
  });
});

describe('classification against reference limits', () => {
  it('classifies an adult by volume (≤ 314 mL) and length (≤ 13 cm)', () => {
    const normal = classify(300, { length: 12.9 }, { ageYears: 40 });
    expect(normal.map((c) => c.status)).toEqual(['normal', 'normal']);
    const enlarged = classify(315, { length: 13.1 }, { ageYears: 40 });
    expect(enlarged.map((c) => c.status)).toEqual(['enlarged', 'enlarged']);
    expect(enlarged[0].citation).toContain('Bezerra');
  });

  it('never prints a value equal to the limit it is said to be above or within', () => {
    const [volume, length] = classify(314.4, { length: 13.04 }, { ageYears: 40, sex: null });
    expect(volume.detail).toBe('314.4 mL is above the limit.');
    expect(length.detail).toBe('13.04 cm is above the limit.');
    const [within] = classify(313.6, { length: 12.96 }, { ageYears: 40, sex: null });
    expect(within.detail).toBe('313.6 mL is within the limit.');
    expect(classify(200, { length: 13.00001 }, { ageYears: 40, sex: null })[1].detail).toBe(
      '13.00001 cm is above the limit.',
    );
    // Away from the limit, the usual digits.
    expect(classify(262.44, { length: 11.04 }, { ageYears: 40, sex: null })[1].detail).toBe(
      '11.0 cm is within the limit.',
    );
  });

  it('assumes an adult when the age is unknown and says so', () => {
    const [volume] = classify(200, {}, null);
    expect(volume.status).toBe('normal');
    expect(volume.detail).toMatch(/age not given/);
  });

  it('uses Rosenberg’s age table for children', () => {
    expect(lengthLimitFor({ ageYears: 0.2 })).toMatchObject({ limitCm: 6.0 });
    expect(lengthLimitFor({ ageYears: 0.4 })).toMatchObject({ limitCm: 6.5 });
    // An age in completed years starts its group: 6 months is "6–12 months", 8 years "8–10 years".
    expect(lengthLimitFor({ ageYears: 0.5 })).toMatchObject({ limitCm: 7.0 });
    expect(lengthLimitFor({ ageYears: 8 })).toMatchObject({
      limitCm: 11.0,
      label: 'child 8–10 years',
    });
    expect(lengthLimitFor({ ageYears: 7.9 })).toMatchObject({ limitCm: 10.0 });
    expect(lengthLimitFor({ ageYears: 12 })).toMatchObject({ limitCm: 12.0 });
    expect(lengthLimitFor({ ageYears: 15, sex: 'male' })).toMatchObject({ limitCm: 13.0 });
    expect(lengthLimitFor({ ageYears: 14.9, sex: 'male' })).toMatchObject({ limitCm: 12.0 });
    expect(lengthLimitFor({ ageYears: 3 })).toMatchObject({ limitCm: 9.0 });
    expect(lengthLimitFor({ ageYears: 9 })).toMatchObject({ limitCm: 11.0 });
    expect(lengthLimitFor({ ageYears: 11.5 })).toMatchObject({ limitCm: 11.5 });
    expect(lengthLimitFor({ ageYears: 16, sex: 'female' })).toMatchObject({ limitCm: 12.0 });
    expect(lengthLimitFor({ ageYears: 16, sex: 'male' })).toMatchObject({ limitCm: 13.0 });
    const child = classify(150, { length: 9.2 }, { ageYears: 3 });
    expect(child[0].status).toBe('unknown'); // no paediatric volume limit
    expect(child[1]).toMatchObject({ status: 'enlarged' });
    expect(child[1].citation).toContain('Rosenberg');
  });

  it('decides a 15–18-year-old of unknown sex only when both limits agree', () => {
    expect(classify(null, { length: 11.9 }, { ageYears: 16 })[0].status).toBe('normal');
    expect(classify(null, { length: 12.5 }, { ageYears: 16 })[0].status).toBe('unknown');
    expect(classify(null, { length: 13.5 }, { ageYears: 16 })[0].status).toBe('enlarged');
  });
});

describe('a volume verdict whose interval crosses the limit', () => {
  it('says so beside the verdict, which still goes by the estimate', () => {
    // sample-05: 347 mL, enlarged, its 95% interval 292–414 mL against the 314 mL limit.
    const [volume] = classify(347, {}, { ageYears: 40 }, [291.8, 413.8]);
    expect(volume.status).toBe('enlarged');
    expect(volume.detail).toBe(
      '347 mL is above the limit. Its 95% interval (292–414 mL) crosses the limit: the volume alone does not settle it.',
    );
    const [within] = classify(290, {}, { ageYears: 40 }, [240, 330]);
    expect(within.status).toBe('normal');
    expect(within.detail).toMatch(/crosses the limit/);
  });

  it('says nothing more when the interval lies on one side', () => {
    expect(classify(200, {}, { ageYears: 40 }, [150, 260])[0].detail).toBe(
      '200 mL is within the limit.',
    );
    expect(classify(500, {}, { ageYears: 40 }, [420, 600])[0].detail).toBe(
      '500 mL is above the limit.',
    );
    expect(classify(200, {}, { ageYears: 40 })[0].detail).not.toMatch(/interval/);
  });
});
