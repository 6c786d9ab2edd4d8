// @vitest-environment happy-dom
/**
 * The patient fields of a stored case the viewer holds no coronal outline of (its AI outline
 * failed, so there is no mask to save them with and no estimate to keep them) are sent on their
 * own (renderer/hooks/use-live-analysis.ts), so the case opens with them again; a signed-off case
 * sends nothing, and a case with an outline sends them with its masks as before.
 */
import { act, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Patient, SpvApi } from '../../src/api';
import type {
  CaseSummary,
  SaveCorrectionRequest,
  SavePatientInputsRequest,
} from '../../src/api/store-contract';
import { caseSummary } from './renderer-fixtures';
import { renderStoredCaseEditing } from './renderer-live-analysis-harness';

afterEach(cleanup);

const girl: Patient = { ageYears: 5, sex: 'female', heightCm: null };

function setup({ locked = false, outline = false } = {}) {
  const patientOnly: SavePatientInputsRequest[] = [];
  const corrections: SaveCorrectionRequest[] = [];
  const estimates: unknown[] = [];
  const api = {
    estimate: (req: unknown) => {
      estimates.push(req);
      return new Promise(() => undefined);
    },
    saveCorrection: async (req: SaveCorrectionRequest): Promise<CaseSummary> => {
      corrections.push(req);
      return caseSummary(req.caseId);
    },
    savePatientInputs: async (req: SavePatientInputsRequest): Promise<CaseSummary> => {
      patientOnly.push(req);
      return caseSummary(req.caseId);
    },
    explain: () => new Promise(() => undefined),
  } as unknown as SpvApi;
  const errors: unknown[] = [];
  const pushError = (_source: string, err: unknown) => errors.push(err);
  const { hook, masksRef } = renderStoredCaseEditing(api, { caseId: '7', locked, pushError });
  if (!outline) delete masksRef.current.coronal;
  /** What the Compare tab's fields do: set the inputs, then ask for an estimate. */
  const typePatient = (patient: Patient) =>
    act(() => {
      hook.result.current.latest.current.patient = patient;
      hook.result.current.analysis.scheduleEstimate();
    });
  return { patientOnly, corrections, estimates, errors, typePatient, hook };
}

describe('patient fields of a stored case without a coronal outline', () => {
  it('are sent on their own, each change in the order typed', async () => {
    const { patientOnly, corrections, estimates, errors, typePatient, hook } = setup();
    typePatient({ ageYears: 5, sex: null, heightCm: null });
    typePatient(girl);
    await act(() => hook.result.current.analysis.settled());
    expect(patientOnly.map((r) => [r.caseId, r.reader, r.patient])).toEqual([
      ['7', 'Dr A', { ageYears: 5, sex: null, heightCm: null }],
      ['7', 'Dr A', girl],
    ]);
    const [first, second] = patientOnly.map((r) => r.editOrder!);
    expect(second.viewer).toBe(first.viewer);
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(corrections).toEqual([]);
    expect(estimates).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a signed-off case sends nothing (the store would refuse it)', async () => {
    const { patientOnly, corrections, typePatient, hook } = setup({ locked: true });
    typePatient(girl);
    await act(() => hook.result.current.analysis.settled());
    expect(patientOnly).toEqual([]);
    expect(corrections).toEqual([]);
  });

  it('a case with an outline keeps sending them with its estimate, not on their own', async () => {
    const { patientOnly, estimates, typePatient } = setup({ outline: true });
    typePatient(girl);
    expect(patientOnly).toEqual([]);
    expect(estimates).toMatchObject([{ patient: girl }]);
  });
});
