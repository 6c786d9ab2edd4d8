/** The one list of what to check before trusting a verdict, as every view of an estimate says it. */
import { describe, expect, it } from 'vitest';
import { INPUTS_NOT_CHECKED, checkFirst } from '../../src/clinical/check-first';

describe('checkFirst', () => {
  it('lists the input doubts first, then uncertain AI outlines', () => {
    expect(
      checkFirst({
        uncertainOutline: ['coronal', 'transverse'],
        inputDoubts: ['views look swapped'],
      }),
    ).toEqual([
      'views look swapped',
      'uncertain AI coronal outline',
      'uncertain AI transverse outline',
    ]);
  });

  it('is empty for a clean estimate, and says an old one was never checked', () => {
    expect(checkFirst({ uncertainOutline: [], inputDoubts: [] })).toEqual([]);
    // Saved before estimates said what to check first: nothing checked is not nothing to check.
    expect(checkFirst({})).toEqual([INPUTS_NOT_CHECKED]);
    expect(INPUTS_NOT_CHECKED).toBe('inputs not checked (estimated before this version)');
  });
});
