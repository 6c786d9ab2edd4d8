/**
 * Opening a case by path (the web host has no native file dialog; in Electron the menu's file
 * dialog fills the same request) or one of the bundled samples.
 */
import { useState, type JSX } from 'react';
import type { OpenCaseRequest } from '../../src/api';

export interface OpenCaseDialogProps {
  sampleIds: readonly string[];
  onOpenSample(id: string): void;
  onOpenCase(req: OpenCaseRequest): void;
  onClose(): void;
}

export function OpenCaseDialog(p: OpenCaseDialogProps): JSX.Element {
  const [coronal, setCoronal] = useState('');
  const [transverse, setTransverse] = useState('');
  const [spacing, setSpacing] = useState('');
  const [frame, setFrame] = useState('');
  const [sample, setSample] = useState(p.sampleIds[0] ?? '');
  const spacingMm = spacing.trim() === '' ? null : Number(spacing);
  const frameIndex = frame.trim() === '' ? null : Number(frame);
  const frameValid = frameIndex === null || (Number.isInteger(frameIndex) && frameIndex >= 0);
  return (
    <div
      className="dialog open-case"
      role="dialog"
      aria-labelledby="open-title"
      data-testid="open-dialog"
    >
      <h2 id="open-title">Open a case</h2>
      <fieldset>
        <legend>Bundled sample</legend>
        <select
          value={sample}
          data-testid="sample-select"
          onChange={(e) => setSample(e.target.value)}
        >
          {p.sampleIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>{' '}
        <button
          type="button"
          data-testid="open-sample"
          disabled={!sample}
          onClick={() => p.onOpenSample(sample)}
        >
          Open sample
        </button>
      </fieldset>
      <fieldset>
        <legend>Files (PNG, JPEG or DICOM inside the allowed case folders)</legend>
        <label>
          Coronal{' '}
          <input
            type="text"
            size={50}
            data-testid="open-coronal"
            value={coronal}
            onChange={(e) => setCoronal(e.target.value)}
          />
        </label>
        <label>
          Transverse (optional){' '}
          <input
            type="text"
            size={50}
            data-testid="open-transverse"
            value={transverse}
            onChange={(e) => setTransverse(e.target.value)}
          />
        </label>
        <label>
          Spacing mm/px (optional){' '}
          <input
            type="number"
            step={0.001}
            min={0}
            data-testid="open-spacing"
            value={spacing}
            onChange={(e) => setSpacing(e.target.value)}
          />
        </label>
        <label title="Multi-frame DICOM: which frame to read (0 = the first)">
          Frame (multi-frame DICOM){' '}
          <input
            type="number"
            min={0}
            step={1}
            data-testid="open-frame"
            value={frame}
            onChange={(e) => setFrame(e.target.value)}
          />
        </label>
        <button
          type="button"
          data-testid="open-files"
          disabled={
            coronal.trim() === '' || (spacingMm !== null && !(spacingMm > 0)) || !frameValid
          }
          onClick={() =>
            p.onOpenCase({
              coronalPath: coronal.trim(),
              transversePath: transverse.trim() === '' ? null : transverse.trim(),
              spacing: spacingMm ? { x: spacingMm, y: spacingMm } : null,
              frame: frameIndex,
            })
          }
        >
          Open files
        </button>
      </fieldset>
      <button type="button" onClick={p.onClose}>
        Cancel
      </button>
    </div>
  );
}
