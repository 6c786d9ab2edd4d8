// @vitest-environment happy-dom
/**
 * The volume summary keeps the splenomegaly verdict beside the number (on a 1366×768 screen the
 * full references are below the fold), and a signed-off case's patient fields are locked.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../src/clinical/reference-limits';
import { ComparisonPanel, VolumeSummary } from '../../renderer/components/ComparisonPanel';
import { sampleEstimate } from './store-fixtures';

afterEach(cleanup);

describe('the volume summary', () => {
  it('shows each reference verdict beside the volume', () => {
    const classification = classify(180, { length: 10.4 }, { ageYears: 4, sex: null });
    const estimate = sampleEstimate(180, { classification });
    render(
      <VolumeSummary
        estimate={estimate}
        updating={false}
        calibrated
        referenceVolumeMl={null}
        failed={false}
      />,
    );
    const verdicts = screen.getByTestId('summary-classification').textContent ?? '';
    // A 4-year-old: no paediatric volume limit, and 10.4 cm above Rosenberg's 9.5 cm.
    expect(verdicts).toMatch(/unknown \(adult volume ≤ 314 mL\)/);
    expect(verdicts).toMatch(/enlarged \(child 4–6 years length ≤ 9\.5 cm\)/);
  });

  it('says at the verdicts when they rest on an uncertain AI outline', () => {
    const classification = classify(86, { length: 9.1 }, { ageYears: 40, sex: null });
    const summary = (uncertainOutline: ('coronal' | 'transverse')[]) =>
      render(
        <VolumeSummary
          estimate={sampleEstimate(86, { classification, uncertainOutline })}
          updating={false}
          calibrated
          referenceVolumeMl={null}
          failed={false}
        />,
      );
    summary(['coronal']);
    expect(screen.getByTestId('summary-classification-caveat').textContent).toMatch(
      /from an uncertain AI outline \(coronal\): check it first/,
    );
    cleanup();
    summary([]);
    expect(screen.queryByTestId('summary-classification-caveat')).toBeNull();
  });

  it('says at the verdicts when the inputs look wrong (swapped views, an implausible scale)', () => {
    const classification = classify(150, { length: 7.2 }, { ageYears: 40, sex: null });
    const summary = (inputDoubts: string[] | undefined) =>
      render(
        <VolumeSummary
          estimate={sampleEstimate(150, { classification, inputDoubts })}
          updating={false}
          calibrated
          referenceVolumeMl={null}
          failed={false}
        />,
      );
    summary(['views look swapped', 'coronal scale implausible']);
    expect(screen.getByTestId('summary-input-caveat').textContent).toBe(
      '⚠ views look swapped; coronal scale implausible: check the inputs first (see the warnings)',
    );
    cleanup();
    // Estimates saved before the field existed have none.
    summary(undefined);
    expect(screen.queryByTestId('summary-input-caveat')).toBeNull();
  });

  it('locks the patient fields of a signed-off case, saying why', () => {
    const why = 'Case 3 is signed off: unlock it with a reason in the Review tab to change it.';
    const props = {
      estimate: null,
      updating: false,
      calibrated: true,
      lengths: {
        mask: { length: 10, width: 6, thickness: 4, craniocaudal: 9 },
        caliper: {},
      },
      patient: { ageYears: 40, sex: null, heightCm: null },
      onPatient: () => undefined,
      referenceVolumeMl: null,
    };
    const { rerender } = render(<ComparisonPanel {...props} readOnly={why} />);
    const fields = screen.getByTestId('patient-fields') as HTMLFieldSetElement;
    expect(fields.disabled).toBe(true);
    expect(fields.title).toBe(why);
    rerender(<ComparisonPanel {...props} readOnly={null} />);
    expect((screen.getByTestId('patient-fields') as HTMLFieldSetElement).disabled).toBe(false);
  });
});
