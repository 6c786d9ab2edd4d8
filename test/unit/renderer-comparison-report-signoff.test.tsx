// @vitest-environment happy-dom
/**
 * The Comparison tab with no case open says so, not "No volumes before calibration" (there is no
 * image to calibrate), and its patient fields keep working. The panel on its own, and in the app
 * over the real store service and engine with nothing opened yet.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '../../src/api';
import { App } from '../../renderer/App';
import {
  ComparisonPanel,
  type ComparisonPanelProps,
} from '../../renderer/components/ComparisonPanel';
import type { StoreService } from '../../src/store-service/service';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from '../integration/store-engine-harness';

afterEach(cleanup);

const NO_CASE = 'No case open: open one to compare its volumes.';

/** The panel with its patient held in state, as the app holds it. */
function Panel(props: Partial<ComparisonPanelProps>) {
  const [patient, setPatient] = useState<Patient>({ ageYears: null, sex: null, heightCm: null });
  return (
    <ComparisonPanel
      estimate={null}
      updating={false}
      calibrated={false}
      lengths={{
        mask: { length: null, width: null, thickness: null, craniocaudal: null },
        caliper: {},
      }}
      patient={patient}
      onPatient={setPatient}
      referenceVolumeMl={null}
      {...props}
    />
  );
}

const noVolumes = () => screen.getByTestId('comparison-no-volumes').textContent;

describe('the Comparison panel without a case', () => {
  it('says that no case is open, and its patient fields still work', () => {
    render(<Panel caseOpen={false} />);
    expect(noVolumes()).toBe(NO_CASE);
    fireEvent.change(screen.getByTestId('patient-age'), { target: { value: '40' } });
    fireEvent.change(screen.getByTestId('patient-sex'), { target: { value: 'female' } });
    expect((screen.getByTestId('patient-age') as HTMLInputElement).value).toBe('40');
    expect((screen.getByTestId('patient-sex') as HTMLSelectElement).value).toBe('female');
  });

  it('still says why there are no volumes when a case is open', () => {
    render(<Panel caseOpen calibrated={false} />);
    expect(noVolumes()).toBe('No volumes before calibration.');
    cleanup();
    render(<Panel caseOpen calibrated />);
    expect(noVolumes()).toBe('Waiting for the estimate…');
  });
});

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('the app with no case open', () => {
  let harness: StoreHarness;
  let service: StoreService;
  beforeAll(async () => {
    harness = await startStoreHarness('spv-comparison-no-case-');
    service = harness.openService();
  });
  afterAll(() => harness?.close());

  it('says in the Comparison tab that no case is open, and keeps the patient inputs working', async () => {
    render(<App api={service} initialSample={null} shell={null} />);
    await waitFor(() => expect(screen.getByTestId('no-case')).toBeTruthy());
    expect(noVolumes()).toBe(NO_CASE);
    expect(screen.getByTestId('comparison-panel').textContent).not.toContain(
      'No volumes before calibration',
    );
    const age = screen.getByTestId('patient-age') as HTMLInputElement;
    fireEvent.change(age, { target: { value: '40' } });
    await waitFor(() => expect(age.value).toBe('40'));
    // Nothing to estimate without a case: a patient input is no error.
    expect(screen.queryAllByTestId('error-item')).toEqual([]);
  });
});
