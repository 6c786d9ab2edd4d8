/** Small, realistic store inputs shared by the store and report tests. */
import type { Estimate } from '../../src/api/contract';

export function sampleEstimate(volumeMl = 212.4, overrides: Partial<Estimate> = {}): Estimate {
  return {
    volumeMl,
    ci95Ml: [volumeMl * 0.8, volumeMl * 1.22],
    model: 'dual',
    modelVersion: 'spv-test-1',
    provider: 'cpu',
    lengths: { length: 10.8, width: 6.1, thickness: 4.2, craniocaudal: 10.1 },
    formulas: [
      {
        id: 'ellipsoid',
        name: 'Prolate ellipsoid',
        expression: '0.523 · L · W · T',
        citation: 'standard practice',
        volumeMl: 0.523 * 10.8 * 6.1 * 4.2,
        unavailableReason: null,
      },
      {
        id: 'prassopoulos',
        name: 'Prassopoulos',
        expression: '30 + 0.58 · L · W · T',
        citation: 'Prassopoulos et al., Eur Radiol 1997;7:246–8',
        volumeMl: 30 + 0.58 * 10.8 * 6.1 * 4.2,
        unavailableReason: null,
      },
      {
        id: 'yetter',
        name: 'Yetter',
        expression: '0.524 · W · T · (ML + CCL) / 2',
        citation: 'Yetter et al., AJR 2003;181:1615',
        volumeMl: null,
        unavailableReason: 'needs a transverse view',
      },
    ],
    classification: [
      {
        status: 'normal',
        limitText: 'adult volume ≤ 314 mL',
        citation: 'Bezerra et al., AJR 2005;184:1510',
        detail: `${volumeMl.toFixed(0)} mL`,
      },
    ],
    warnings: [],
    // As the engine gives them since schema 7: nothing to check first.
    uncertainOutline: [],
    inputDoubts: [],
    elapsedMs: 0,
    ...overrides,
  };
}

/** An ellipse mask of the given size: a spleen-like blob with an exact pixel count. */
export function ellipseMask(
  width: number,
  height: number,
  rx: number,
  ry: number,
  cx = width / 2,
  cy = height / 2,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1) mask[y * width + x] = 1;
    }
  }
  return mask;
}
