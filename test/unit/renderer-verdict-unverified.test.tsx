// @vitest-environment happy-dom
/**
 * A reference verdict resting on something to check first (an implausible scale, swapped views, an
 * uncertain AI outline) is shown neutral, "normal?" with what it rests on, in the volume summary
 * and in the Comparison tab's reference list; a settled verdict keeps its colour.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/api';
import { classify } from '../../src/clinical/reference-limits';
import { ComparisonPanel, VolumeSummary } from '../../renderer/components/ComparisonPanel';
import { sampleEstimate } from './store-fixtures';

afterEach(cleanup);

// The audit's case: a calibration kept although ten times too small gives 33 mL and a 1.0-cm
// spleen, both "normal" for an adult.
const classification = classify(33, { length: 1.0 }, { ageYears: 40, sex: null });
const doubted = sampleEstimate(33, {
  classification,
  inputDoubts: ['coronal scale implausible', 'length implausible'],
});
const settled = sampleEstimate(33, { classification });

function summary(estimate: Estimate) {
  render(
    <VolumeSummary
      estimate={estimate}
      updating={false}
      calibrated
      referenceVolumeMl={null}
      failed={false}
    />,
  );
  return screen.getByTestId('summary-classification');
}

function comparison(estimate: Estimate) {
  render(
    <ComparisonPanel
      estimate={estimate}
      updating={false}
      calibrated
      lengths={{
        mask: { length: 1, width: 0.6, thickness: 0.4, craniocaudal: null },
        caliper: {},
      }}
      patient={{ ageYears: 40, sex: null, heightCm: null }}
      onPatient={() => undefined}
      referenceVolumeMl={null}
    />,
  );
  return screen.getByTestId('classification');
}

describe('verdicts resting on something to check first', () => {
  it('are neutral "normal?" in the volume summary, saying what they rest on', () => {
    const verdicts = within(summary(doubted)).getAllByTestId('verdict-status');
    expect(verdicts.length).toBe(classification.length);
    for (const v of verdicts) {
      expect(v.textContent).toBe('normal?');
      expect(v.dataset.unverified).toBe('true');
      expect(v.title).toBe(
        'rests on: coronal scale implausible; length implausible: check them first',
      );
      // Neither green nor red: the colouring class is not there.
      expect(v.closest('.class-normal')).toBeNull();
      expect(v.closest('.class-unverified')).not.toBeNull();
    }
  });

  it('keep the settled colour and plain word when nothing is in doubt', () => {
    const verdicts = within(summary(settled)).getAllByTestId('verdict-status');
    for (const v of verdicts) {
      expect(v.textContent).toBe('normal');
      expect(v.dataset.unverified).toBeUndefined();
      expect(v.closest('.class-normal')).not.toBeNull();
    }
  });

  it('are neutral in the Comparison tab too, with the reason in words under them', () => {
    const list = comparison(doubted);
    for (const v of within(list).getAllByTestId('verdict-status')) {
      expect(v.textContent).toBe('normal?');
      expect(v.closest('.class-normal')).toBeNull();
    }
    expect(within(list).getByTestId('classification-check-first').textContent).toBe(
      '⚠ Unverified: these verdicts rest on: coronal scale implausible; length implausible. Check them first.',
    );
    cleanup();
    const plain = comparison(settled);
    expect(within(plain).queryByTestId('classification-check-first')).toBeNull();
    for (const v of within(plain).getAllByTestId('verdict-status'))
      expect(v.closest('.class-normal')).not.toBeNull();
  });

  it('count an uncertain AI outline as something to check first', () => {
    const verdicts = within(
      summary(sampleEstimate(33, { classification, uncertainOutline: ['transverse'] })),
    ).getAllByTestId('verdict-status');
    expect(verdicts[0].title).toBe('rests on: uncertain AI transverse outline: check it first');
  });
});
