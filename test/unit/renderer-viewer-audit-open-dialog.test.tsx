// @vitest-environment happy-dom
/**
 * Viewer audit, keyboard only: Ctrl+O opened the Open dialog with the focus left on the page
 * behind it, Escape did not close it, Enter in a path did not open the files, and the sample list
 * had no accessible name; Enter in the calibration distance did not apply it; the side tabs did
 * not say which one is shown, nor each × in the errors panel which problem it dismisses. The real
 * components, driven from the keyboard.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OpenCaseRequest } from '../../src/api';
import { CalibrationDialog } from '../../renderer/components/CalibrationDialog';
import { ErrorsPanel } from '../../renderer/components/ErrorsPanel';
import { OpenCaseDialog } from '../../renderer/components/OpenCaseDialog';
import { SideTabs } from '../../renderer/components/SideTabs';

afterEach(cleanup);

function dialog() {
  const onOpenCase = vi.fn<(r: OpenCaseRequest) => void>();
  const onOpenSample = vi.fn<(id: string) => void>();
  const onClose = vi.fn<() => void>();
  render(
    <OpenCaseDialog
      sampleIds={['sample-01', 'sample-03']}
      onOpenSample={onOpenSample}
      onOpenCase={onOpenCase}
      onClose={onClose}
    />,
  );
  return { onOpenCase, onOpenSample, onClose };
}

describe('viewer audit: the Open dialog from the keyboard', () => {
  it('takes the focus on its first control, which has a name', () => {
    dialog();
    const samples = screen.getByRole('combobox', { name: 'Bundled sample' });
    expect(document.activeElement).toBe(samples);
  });

  it('closes on Escape, as Cancel does', () => {
    const { onClose } = dialog();
    fireEvent.keyDown(screen.getByTestId('sample-select'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('opens the files on Enter in a path field', () => {
    const { onOpenCase } = dialog();
    const coronal = screen.getByTestId('open-coronal');
    fireEvent.change(coronal, { target: { value: ' /cases/a.dcm ' } });
    fireEvent.submit(coronal.closest('form')!);
    expect(onOpenCase).toHaveBeenCalledWith({
      coronalPath: '/cases/a.dcm',
      transversePath: null,
      spacing: null,
      coronalFrame: null,
      transverseFrame: null,
    });
  });

  it('does not open on Enter while the coronal path is empty', () => {
    const { onOpenCase } = dialog();
    fireEvent.submit(screen.getByTestId('open-coronal').closest('form')!);
    expect(onOpenCase).not.toHaveBeenCalled();
  });
});

describe('viewer audit: the calibration dialog from the keyboard', () => {
  const line: [[number, number], [number, number]] = [
    [20, 20],
    [20, 220],
  ];

  it('applies the distance on Enter, as the button does', () => {
    const onApply = vi.fn<(mm: number) => void>();
    render(<CalibrationDialog view="coronal" line={line} busy={false} onApply={onApply} />);
    const distance = screen.getByTestId('calibration-distance');
    fireEvent.change(distance, { target: { value: '60' } });
    fireEvent.submit(distance.closest('form')!);
    expect(onApply).toHaveBeenCalledWith(60);
  });

  it('applies nothing on Enter before a line is drawn or while busy', () => {
    const onApply = vi.fn<(mm: number) => void>();
    const { rerender } = render(
      <CalibrationDialog view="coronal" line={null} busy={false} onApply={onApply} />,
    );
    fireEvent.change(screen.getByTestId('calibration-distance'), { target: { value: '60' } });
    fireEvent.submit(screen.getByTestId('calibration-distance').closest('form')!);
    rerender(<CalibrationDialog view="coronal" line={line} busy onApply={onApply} />);
    fireEvent.submit(screen.getByTestId('calibration-distance').closest('form')!);
    expect(onApply).not.toHaveBeenCalled();
  });
});

describe('viewer audit: names a screen reader hears', () => {
  it('says which side tab is shown', () => {
    render(<SideTabs tab="explain" onTab={() => undefined} />);
    expect(screen.getByRole('button', { name: 'Explain', pressed: true })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comparison', pressed: false })).toBeTruthy();
  });

  it('says which problem each × dismisses', () => {
    const onDismiss = vi.fn<(id: number | 'all') => void>();
    render(
      <ErrorsPanel
        errors={[
          { id: 1, source: 'Open', code: 'bad-input', message: 'a.dcm: the file has 3 frames.' },
          {
            id: 2,
            source: 'Estimate coronal view',
            code: 'bad-input',
            message: 'The mask is empty.',
          },
        ]}
        onDismiss={onDismiss}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Estimate coronal view' }));
    expect(onDismiss).toHaveBeenCalledWith(2);
  });
});
