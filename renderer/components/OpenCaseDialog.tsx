/**
 * Opening a case by path (the web host has no native file dialog; in Electron the menu's file
 * dialog fills the same request) or one of the bundled samples.
 */
import { useRef, useState, type JSX } from 'react';
import type { OpenCaseRequest } from '../../src/api';
import { useModalDialog } from '../hooks/use-modal-dialog';

export interface OpenCaseDialogProps {
  sampleIds: readonly string[];
  onOpenSample(id: string): void;
  onOpenCase(req: OpenCaseRequest): void;
  onClose(): void;
  /**
   * What the reader asked to open last, when that opening failed: the fields start from it, so
   * that a missing frame or calibration is added to what was typed, not typed again.
   */
  draft?: OpenCaseRequest | null;
}

/** A field's text for an optional number of the request. */
const fieldOf = (value: number | null | undefined) => (value == null ? '' : String(value));

export function OpenCaseDialog(p: OpenCaseDialogProps): JSX.Element {
  const draft = p.draft ?? null;
  const [coronal, setCoronal] = useState(draft?.coronalPath ?? '');
  const [transverse, setTransverse] = useState(draft?.transversePath ?? '');
  const [spacing, setSpacing] = useState(fieldOf(draft?.spacing?.x));
  // Each view has its own frame: a multi-frame coronal can be paired with a single-frame transverse.
  const [coronalFrame, setCoronalFrame] = useState(fieldOf(draft?.coronalFrame ?? draft?.frame));
  const [transverseFrame, setTransverseFrame] = useState(
    fieldOf(draft?.transverseFrame ?? draft?.frame),
  );
  const [sample, setSample] = useState(p.sampleIds[0] ?? '');
  const spacingMm = spacing.trim() === '' ? null : Number(spacing);
  const coronalFrameIndex = frameIndexOf(coronalFrame);
  const transverseFrameIndex = frameIndexOf(transverseFrame);
  const framesValid = [coronalFrameIndex, transverseFrameIndex].every(
    (f) => f === null || (Number.isInteger(f) && f >= 0),
  );
  const canOpenFiles =
    coronal.trim() !== '' && !(spacingMm !== null && !(spacingMm > 0)) && framesValid;
  const openFiles = () =>
    p.onOpenCase({
      coronalPath: coronal.trim(),
      transversePath: transverse.trim() === '' ? null : transverse.trim(),
      spacing: spacingMm ? { x: spacingMm, y: spacingMm } : null,
      coronalFrame: coronalFrameIndex,
      transverseFrame: transverse.trim() === '' ? null : transverseFrameIndex,
    });
  // A keyboard reader lands in the dialog (Ctrl+O left the focus on the page behind it), Tab
  // stays in it, and the focus goes back where it was when it closes.
  const dialogRef = useRef<HTMLDivElement>(null);
  const firstControl = useRef<HTMLSelectElement>(null);
  const modalKeyDown = useModalDialog(dialogRef, firstControl);
  return (
    <div
      ref={dialogRef}
      className="dialog open-case"
      role="dialog"
      aria-modal="true"
      aria-labelledby="open-title"
      data-testid="open-dialog"
      onKeyDown={(e) => {
        // Escape closes it, as Cancel does (the window's shortcuts never see it).
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          p.onClose();
          return;
        }
        modalKeyDown(e);
      }}
    >
      <h2 id="open-title">Open a case</h2>
      <fieldset>
        <legend>Bundled sample</legend>
        <select
          ref={firstControl}
          aria-label="Bundled sample"
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
      {/* A form, so that Enter in a field opens the files as the button does. */}
      <form
        // Our own checks decide (the button's state), not the browser's step checks.
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canOpenFiles) openFiles();
        }}
      >
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
          <label title="Only for images without calibration: a DICOM's own calibration is used instead">
            Spacing mm/px (optional, images without calibration){' '}
            <input
              type="number"
              step={0.001}
              min={0}
              data-testid="open-spacing"
              value={spacing}
              onChange={(e) => setSpacing(e.target.value)}
            />
          </label>
          <label title="Multi-frame coronal DICOM: which frame to read (0 = the first)">
            Coronal frame (multi-frame DICOM){' '}
            <input
              type="number"
              min={0}
              step={1}
              data-testid="open-coronal-frame"
              value={coronalFrame}
              onChange={(e) => setCoronalFrame(e.target.value)}
            />
          </label>
          <label title="Multi-frame transverse DICOM: which frame to read (0 = the first)">
            Transverse frame (multi-frame DICOM){' '}
            <input
              type="number"
              min={0}
              step={1}
              data-testid="open-transverse-frame"
              value={transverseFrame}
              onChange={(e) => setTransverseFrame(e.target.value)}
            />
          </label>
          <button type="submit" data-testid="open-files" disabled={!canOpenFiles}>
            Open files
          </button>
        </fieldset>
      </form>
      <button type="button" onClick={p.onClose}>
        Cancel
      </button>
    </div>
  );
}

function frameIndexOf(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}
