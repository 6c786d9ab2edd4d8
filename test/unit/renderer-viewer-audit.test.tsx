// @vitest-environment happy-dom
/**
 * The viewer audit's findings, on the real components: an outline no spleen has (a stripe, a
 * sliver) is said at the volume with what to do, the number is shown unverified, and the Comparison
 * tab says it above the formula table; a corrected outline brings the plain number back.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Estimate } from '../../src/api';
import { classify } from '../../src/clinical/reference-limits';
import { ComparisonPanel, VolumeSummary } from '../../renderer/components/ComparisonPanel';
import { sampleEstimate } from './store-fixtures';

afterEach(cleanup);

// The audit's case: sample-03's coronal outline erased to a 5-pixel sliver gives 73 mL, "normal".
const classification = classify(73, { length: 11.1 }, { ageYears: null, sex: null });
const sliver = sampleEstimate(73, {
  classification,
  inputDoubts: ['coronal outline implausible'],
});
const corrected = sampleEstimate(172, { classification, inputDoubts: [] });

function summary(estimate: Estimate) {
  return render(
    <VolumeSummary
      estimate={estimate}
      updating={false}
      calibrated
      referenceVolumeMl={null}
      failed={false}
    />,
  );
}

function comparison(estimate: Estimate) {
  return render(
    <ComparisonPanel
      estimate={estimate}
      updating={false}
      calibrated
      lengths={{
        mask: { length: 11.1, width: 6.2, thickness: 4.3, craniocaudal: 11.1 },
        caliper: {},
      }}
      patient={{ ageYears: null, sex: null, heightCm: null }}
      onPatient={() => undefined}
      referenceVolumeMl={null}
    />,
  );
}

describe('viewer audit: an implausible outline in the volume summary', () => {
  it('says at the volume that the outline is no spleen and how to correct it', () => {
    summary(sliver);
    const caveat = screen.getByTestId('summary-outline-caveat').textContent ?? '';
    expect(caveat).toMatch(/coronal outline is not a spleen's shape/);
    expect(caveat).toMatch(/until then this volume means nothing/);
    // What to do, with the viewer's own tools, not "check the inputs".
    expect(caveat).toMatch(/correct it on the image \(brush, Lasso \+, Undo or Reset to AI\)/);
    expect(caveat).not.toMatch(/check the inputs/);
    // Not repeated as an input to check: the remedy is in the viewer.
    expect(screen.queryByTestId('summary-input-caveat')).toBeNull();
  });

  it('shows the number itself unverified, with the same value for the record', () => {
    summary(sliver);
    const value = screen.getByTestId('volume-ml');
    expect(value.dataset.unverified).toBe('true');
    expect(value.textContent).toBe('73 mL?');
    expect(value.dataset.value).toBe('73');
    expect(value.getAttribute('title')).toMatch(/Not a volume to use/);
  });

  it('keeps the other doubts as inputs to check, beside the outline caveat', () => {
    summary(
      sampleEstimate(96, {
        classification,
        inputDoubts: ['coronal outline implausible', 'unlike the training data'],
      }),
    );
    expect(screen.getByTestId('summary-input-caveat').textContent).toBe(
      '⚠ unlike the training data: check the inputs first (see the warnings)',
    );
    expect(screen.getByTestId('summary-outline-caveat')).toBeTruthy();
  });

  it('names both views when both outlines are implausible', () => {
    summary(
      sampleEstimate(50, {
        classification,
        inputDoubts: ['coronal outline implausible', 'transverse outline implausible'],
      }),
    );
    expect(screen.getByTestId('summary-outline-caveat').textContent).toMatch(
      /coronal and transverse outlines are not a spleen's shape: correct them/,
    );
  });

  it('goes once the outline is corrected', () => {
    const { rerender } = summary(sliver);
    rerender(
      <VolumeSummary
        estimate={corrected}
        updating={false}
        calibrated
        referenceVolumeMl={null}
        failed={false}
      />,
    );
    expect(screen.queryByTestId('summary-outline-caveat')).toBeNull();
    const value = screen.getByTestId('volume-ml');
    expect(value.dataset.unverified).toBeUndefined();
    expect(value.textContent).toBe('172 mL');
  });
});

describe('viewer audit: an implausible outline in the Comparison tab', () => {
  it('says above the formula table that its volumes mean nothing yet', () => {
    comparison(sliver);
    const caveat = screen.getByTestId('comparison-outline-caveat');
    expect(caveat.textContent).toMatch(/coronal outline is not a spleen's shape/);
    // Above the table, in sight, not only below the fold with the verdicts.
    const table = screen.getByTestId('formula-table');
    expect(caveat.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByTestId('formula-table').querySelector('td.volume-unverified')).toBeTruthy();
  });

  it('shows no caveat for a plausible outline', () => {
    comparison(corrected);
    expect(screen.queryByTestId('comparison-outline-caveat')).toBeNull();
    expect(screen.getByTestId('formula-table').querySelector('td.volume-unverified')).toBeNull();
  });
});

describe('viewer audit: the Comparison tab after a failed estimate', () => {
  const panel = (props: { failed?: boolean; updating?: boolean }) =>
    render(
      <ComparisonPanel
        estimate={null}
        updating={props.updating ?? false}
        calibrated
        lengths={{
          mask: { length: null, width: 6.2, thickness: 4.3, craniocaudal: null },
          caliper: {},
        }}
        patient={{ ageYears: null, sex: null, heightCm: null }}
        onPatient={() => undefined}
        referenceVolumeMl={null}
        failed={props.failed}
      />,
    );

  it('says there are no volumes for this mask, not that one is coming', () => {
    // The audit's case: the coronal outline erased whole, "The mask is empty" in the errors.
    panel({ failed: true });
    const text = screen.getByTestId('comparison-no-volumes').textContent ?? '';
    expect(text).toMatch(/No volumes for the current mask: see the problem below/);
    expect(text).not.toMatch(/Waiting/);
  });

  it('waits while a new estimate is on its way, and without a failure', () => {
    panel({ failed: true, updating: true });
    expect(screen.getByTestId('comparison-no-volumes').textContent).toBe(
      'Waiting for the estimate…',
    );
    cleanup();
    panel({});
    expect(screen.getByTestId('comparison-no-volumes').textContent).toBe(
      'Waiting for the estimate…',
    );
  });
});
