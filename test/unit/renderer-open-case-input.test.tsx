// @vitest-environment happy-dom
/**
 * The Open dialog (renderer/components/OpenCaseDialog.tsx) sends a frame per view, so that a
 * multi-frame coronal DICOM can be opened with a single-frame transverse image.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpenCaseRequestSchema } from '../../src/api/contract';
import { OpenCaseDialog } from '../../renderer/components/OpenCaseDialog';

afterEach(cleanup);

function open() {
  const onOpenCase = vi.fn();
  render(
    <OpenCaseDialog
      sampleIds={['sample-01']}
      onOpenSample={() => undefined}
      onOpenCase={onOpenCase}
      onClose={() => undefined}
    />,
  );
  const type = (id: string, value: string) =>
    fireEvent.change(screen.getByTestId(id), { target: { value } });
  return { onOpenCase, type };
}

describe('OpenCaseDialog', () => {
  it('sends the coronal frame alone, valid for the API', () => {
    const { onOpenCase, type } = open();
    type('open-coronal', '/cases/cine.dcm');
    type('open-transverse', '/cases/scan_transverse.png');
    type('open-coronal-frame', '2');
    fireEvent.click(screen.getByTestId('open-files'));
    const req = onOpenCase.mock.calls[0][0];
    expect(req).toMatchObject({ coronalFrame: 2, transverseFrame: null });
    expect(req.frame).toBeUndefined();
    expect(OpenCaseRequestSchema.parse(req)).toMatchObject({ coronalFrame: 2 });
  });

  it('refuses a frame that is not a whole number ≥ 0', () => {
    const { type } = open();
    type('open-coronal', '/cases/cine.dcm');
    type('open-transverse-frame', '1.5');
    expect(screen.getByTestId('open-files')).toHaveProperty('disabled', true);
  });
});
