/** The one list of what to check before trusting a verdict, as every view of an estimate says it. */
import { describe, expect, it } from 'vitest';
import { checkFirst } from '../../src/clinical/check-first';

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

  it('is empty for a clean estimate and for one saved before the fields existed', () => {
    expect(checkFirst({ uncertainOutline: [], inputDoubts: [] })).toEqual([]);
    expect(checkFirst({})).toEqual([]);
  });
});
