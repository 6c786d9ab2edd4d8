import { describe, it, expect } from 'vitest';
import sharp from 'sharp';
import { blandAltman, dice, mean } from '../../src/reports/stats';
import { blandAltmanPng, blandAltmanSvg } from '../../src/reports/bland-altman-plot';
import { sessionSummaryCsv } from '../../src/reports/session-summary';
import type { SessionSummary } from '../../src/api/store-contract';
import { escapeXml, niceTicks } from '../../src/reports/svg';

describe('Dice', () => {
  it('is 2|A∩B|/(|A|+|B|), 1 for two empty masks', () => {
    expect(dice(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([1, 0, 1, 0]))).toBeCloseTo(0.5, 12);
    expect(dice(Uint8Array.from([1, 1, 1, 0]), Uint8Array.from([1, 1, 1, 0]))).toBe(1);
    expect(dice(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    expect(dice(Uint8Array.from([1, 0]), Uint8Array.from([0, 1]))).toBe(0);
    expect(() => dice(new Uint8Array(3), new Uint8Array(4))).toThrow(/same size/);
  });
});

describe('Bland–Altman', () => {
  it('gives the bias and mean ± 1.96 SD of the differences (hand-computed)', () => {
    // differences 10, 20, 30: mean 20, sample SD 10.
    const s = blandAltman([
      [110, 100],
      [220, 200],
      [330, 300],
    ]);
    expect(s.n).toBe(3);
    expect(s.meanDifference).toBeCloseTo(20, 12);
    expect(s.sdDifference).toBeCloseTo(10, 12);
    expect(s.limitsOfAgreement![0]).toBeCloseTo(20 - 19.6, 12);
    expect(s.limitsOfAgreement![1]).toBeCloseTo(20 + 19.6, 12);
    expect(s.points[1]).toEqual({ mean: 210, difference: 20 });
  });

  it('has no limits below two cases', () => {
    expect(blandAltman([])).toMatchObject({ n: 0, meanDifference: null, limitsOfAgreement: null });
    expect(blandAltman([[5, 3]])).toMatchObject({
      n: 1,
      meanDifference: 2,
      limitsOfAgreement: null,
    });
    expect(mean([])).toBeNull();
  });

  it('draws the points, the bias and both limits, and renders to a non-blank PNG', async () => {
    const stats = blandAltman([
      [110, 100],
      [220, 200],
      [330, 300],
    ]);
    const svg = blandAltmanSvg(stats, { title: 'AI vs <final>', yLabel: 'AI − final (mL)' });
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('bias 20.0');
    expect(svg).toContain('+1.96 SD 39.6');
    expect(svg).toContain('AI vs &lt;final&gt;');
    const png = await blandAltmanPng(stats, { title: 't', yLabel: 'y' });
    expect(
      blandAltmanSvg(stats, { title: 't', yLabel: 'y', note: '2 cases not reviewed left out' }),
    ).toContain('>2 cases not reviewed left out</text>');
    const info = await sharp(png).stats();
    expect(info.channels[0].stdev).toBeGreaterThan(10);
  });
});

describe('svg helpers', () => {
  it('escapes XML and picks nice ticks', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-3, 7, 5)).toEqual([-2, 0, 2, 4, 6]);
  });
});

describe('session summary CSV', () => {
  it('writes one row per case, one column per formula, and quotes commas and quotes', () => {
    const summary: SessionSummary = {
      sessionId: '1',
      reader: 'Dr. A',
      meanTimePerCaseMs: 1000,
      meanDice: 0.9,
      blandAltman: [],
      plots: [],
      notReviewed: [],
      rows: [
        {
          caseId: '4',
          title: 'case, "four"',
          patientKey: 'P4',
          status: 'flagged',
          aiVolumeMl: 200.12345,
          finalVolumeMl: 190,
          finalCi95Ml: [150, 240.5],
          diceCoronal: 0.95,
          diceTransverse: null,
          timeSpentMs: 61_500,
          formulas: { prassopoulos: 180.25, ellipsoid: null },
          flagComment: 'rib shadow',
          signedOffBy: null,
          signedOffAt: null,
          checkFirst: [],
          viewsSwapped: false,
          checkedAtSignOff: [],
          verdicts: ['normal: adult volume ≤ 314 mL', 'enlarged: adult length ≤ 13.0 cm'],
          limitsFor: 'age 40 years · female',
        },
      ],
    };
    const lines = sessionSummaryCsv(summary).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'case_id,title,patient,status,ai_volume_ml,final_volume_ml,final_ci_low_ml,final_ci_high_ml,check_first,dice_coronal,dice_transverse,time_spent_s,formula_ellipsoid_ml,formula_prassopoulos_ml,signed_off_by,signed_off_at,flag_comment,in_statistics,views_swapped,checked_at_sign_off,verdicts,limits_for',
    );
    expect(lines[1]).toBe(
      '4,"case, ""four""",P4,flagged,200.123,190,150,240.500,,0.950,,61.500,,180.250,,,rib shadow,yes,no,,normal: adult volume ≤ 314 mL; enlarged: adult length ≤ 13.0 cm,age 40 years · female',
    );
  });

  it('says why a case is left out of the statistics, and keeps text cells from running as spreadsheet formulas', () => {
    const row = {
      caseId: '5',
      title: '=HYPERLINK("http://x","y")',
      patientKey: '+P5',
      status: 'ai-ready' as const,
      aiVolumeMl: -1.5,
      finalVolumeMl: null,
      finalCi95Ml: null,
      diceCoronal: null,
      diceTransverse: null,
      timeSpentMs: 0,
      formulas: {},
      flagComment: '@SUM(A1)',
      signedOffBy: '-x',
      signedOffAt: null,
      checkFirst: [],
      viewsSwapped: true,
      checkedAtSignOff: [],
      verdicts: [],
      limitsFor: null,
    };
    const lines = sessionSummaryCsv({
      sessionId: '1',
      reader: 'Dr. A',
      meanTimePerCaseMs: null,
      meanDice: null,
      blandAltman: [],
      plots: [],
      rows: [row],
      notReviewed: [{ caseId: '5', reason: 'never opened by a reader' }],
    })
      .trimEnd()
      .split('\n');
    // Numbers stay numbers (-1.500); text starting = + - @ gets a leading '.
    expect(lines[1]).toBe(
      `5,"'=HYPERLINK(""http://x"",""y"")",'+P5,ai-ready,-1.500,,,,,,,0,'-x,,'@SUM(A1),no: never opened by a reader,yes,,,`,
    );
  });
});
