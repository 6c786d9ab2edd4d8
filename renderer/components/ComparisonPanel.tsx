/**
 * DeepSPV beside every length-based formula: the estimate and its 95% interval, each formula's
 * volume with the difference in mL and %, the citation on hover, the lengths used (calipers and
 * mask-measured side by side), a chart, and the reference limit and classification for the patient.
 */
import type { JSX } from 'react';
import type { Classification, Estimate, Patient } from '../../src/api';
import { checkFirst } from '../../src/clinical/check-first';
import { shownVerdict, unverifiedVerdictsText } from '../../src/clinical/unverified-verdict';
import type { CaliperKind } from '../editing/calipers';
import { cm, ml, signed } from './format';
import { studyPatientNote } from '../study-patient-note';
import { EstimateChart } from './EstimateChart';
import {
  implausibleOutlines,
  otherInputDoubts,
  outlineCaveatText,
  outlineComparisonText,
  unverifiedVolumeTitle,
} from './outline-doubt';
import './verdict.css';

export interface MeasuredLengths {
  /** Lengths in cm measured from the current masks (PIPELINE §7), null where not measurable. */
  mask: {
    length: number | null;
    width: number | null;
    thickness: number | null;
    craniocaudal: number | null;
  };
  /** Lengths in cm from the reader's calipers. */
  caliper: { length?: number; width?: number; thickness?: number };
}

export interface ComparisonPanelProps {
  estimate: Estimate | null;
  updating: boolean;
  calibrated: boolean;
  lengths: MeasuredLengths;
  patient: Patient;
  onPatient(p: Patient): void;
  /** The patient inputs the image's DICOM header gives (CaseView.studyPatient), if any. */
  studyPatient?: Patient | null;
  referenceVolumeMl: number | null;
  /**
   * Whether a case is open (the default): with none, there is nothing to calibrate, and the panel
   * says so instead of "No volumes before calibration". The patient fields work either way.
   */
  caseOpen?: boolean;
  /** Why the case may not be changed (signed off), or null: the patient fields are then locked. */
  readOnly?: string | null;
  /**
   * The caliper kinds drawn, measurable or not (one across two regions has no length but must still
   * be removable), and what removes one; without them the table offers no ×.
   */
  drawnCalipers?: readonly CaliperKind[];
  onRemoveCaliper?(kind: CaliperKind): void;
  /**
   * The last estimate failed (an empty mask; its reason is in the errors panel): the table is not
   * "waiting" for an estimate that is not coming. Absent: false.
   */
  failed?: boolean;
}

/**
 * A reference verdict's status: green "normal" or red "enlarged" when the estimate is settled;
 * neutral "normal?" while it rests on something to check first (`toCheck`, its tooltip says what).
 */
function VerdictStatus({
  c,
  toCheck,
}: {
  c: Classification;
  toCheck: readonly string[];
}): JSX.Element {
  const v = shownVerdict(c.status, toCheck);
  return (
    <strong
      className={v.unverified ? 'verdict-unverified' : undefined}
      title={v.restsOn ?? undefined}
      data-testid="verdict-status"
      data-unverified={v.unverified ? 'true' : undefined}
    >
      {v.label}
    </strong>
  );
}

/** The class that colours a verdict: none (neutral) while it rests on something to check first. */
const verdictClass = (c: Classification, toCheck: readonly string[]): string =>
  shownVerdict(c.status, toCheck).unverified ? 'class-unverified' : `class-${c.status}`;

export function VolumeSummary({
  estimate,
  updating,
  calibrated,
  referenceVolumeMl,
  failed,
}: Pick<ComparisonPanelProps, 'estimate' | 'updating' | 'calibrated' | 'referenceVolumeMl'> & {
  /** The last estimate failed (its reason is in the errors panel). */
  failed: boolean;
}): JSX.Element {
  const toCheck = estimate ? checkFirst(estimate) : [];
  // An outline no spleen has: its volume "means nothing", so the number itself is shown unverified.
  const badOutlines = implausibleOutlines(estimate?.inputDoubts);
  const otherDoubts = otherInputDoubts(estimate?.inputDoubts);
  if (!calibrated) {
    return (
      <div className="volume" data-testid="volume-summary">
        <div className="volume-none" data-testid="no-volume">
          No volume: this image has no calibration. Calibrate it first.
        </div>
      </div>
    );
  }
  return (
    <div className="volume" data-testid="volume-summary">
      <div className="volume-main">
        <span className="volume-label">DeepSPV</span>{' '}
        <span
          className={badOutlines.length > 0 ? 'volume-value volume-unverified' : 'volume-value'}
          data-testid="volume-ml"
          data-value={estimate?.volumeMl ?? ''}
          data-unverified={badOutlines.length > 0 ? 'true' : undefined}
          title={badOutlines.length > 0 ? unverifiedVolumeTitle(badOutlines) : undefined}
        >
          {estimate ? ml(estimate.volumeMl) : failed ? '—' : '…'}
          {badOutlines.length > 0 && '?'}
        </span>
        {updating && (
          <span className="updating" data-testid="updating">
            updating…
          </span>
        )}
      </div>
      {estimate && (
        <div
          className="volume-ci"
          data-testid="volume-ci"
          data-lo={estimate.ci95Ml[0]}
          data-hi={estimate.ci95Ml[1]}
        >
          95% interval {Math.round(estimate.ci95Ml[0])}–{Math.round(estimate.ci95Ml[1])} mL ·{' '}
          {estimate.model === 'dual' ? 'dual-view' : 'single-view'} model
        </div>
      )}
      {badOutlines.length > 0 && (
        // Said at the number, whatever the verdicts: the remedy is in the viewer, not the inputs.
        <div className="warning" data-testid="summary-outline-caveat">
          ⚠ {outlineCaveatText(badOutlines)}
        </div>
      )}
      {estimate && estimate.classification.length > 0 && (
        // The verdict beside the number, always in sight (the full references, with their
        // citations, are in the Comparison tab below the fold on a small screen).
        <div className="volume-classes" data-testid="summary-classification">
          {estimate.classification.map((c) => (
            <span key={c.limitText} className={verdictClass(c, toCheck)} title={c.detail}>
              <VerdictStatus c={c} toCheck={toCheck} /> ({c.limitText})
            </span>
          ))}
          {(estimate.uncertainOutline?.length ?? 0) > 0 && (
            // A green "normal" on an image with no spleen in it is the risk: said at the verdict.
            <span className="warning" data-testid="summary-classification-caveat">
              ⚠ from an uncertain AI outline ({estimate.uncertainOutline!.join(' and ')}): check it
              first
            </span>
          )}
          {otherDoubts.length > 0 && (
            // Swapped views or an implausible scale: the verdict's number may be far off. (An
            // implausible outline is said at the number, with its own remedy.)
            <span className="warning" data-testid="summary-input-caveat">
              ⚠ {otherDoubts.join('; ')}: check the inputs first (see the warnings)
            </span>
          )}
        </div>
      )}
      {failed && !estimate && !updating && (
        <div className="warning" data-testid="estimate-failed">
          No estimate for the current mask: see the problem below.
        </div>
      )}
      {referenceVolumeMl !== null && (
        <div className="volume-ref">
          True volume of this synthetic sample: {ml(referenceVolumeMl)}
        </div>
      )}
      {estimate?.warnings.map((w) => (
        <div className="warning" key={w} data-testid="estimate-warning">
          ⚠ {w}
        </div>
      ))}
    </div>
  );
}

function numberOrNull(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * Why the formula table is not shown: no case, no calibration, an estimate that failed, or one on
 * its way.
 */
function noVolumesText(caseOpen: boolean, calibrated: boolean, failed: boolean): string {
  if (!caseOpen) return 'No case open: open one to compare its volumes.';
  if (!calibrated) return 'No volumes before calibration.';
  return failed
    ? 'No volumes for the current mask: see the problem below, then correct the outline.'
    : 'Waiting for the estimate…';
}

export function ComparisonPanel(p: ComparisonPanelProps): JSX.Element {
  const { estimate } = p;
  const toCheck = estimate ? checkFirst(estimate) : [];
  const studyNote = studyPatientNote(p.patient, p.studyPatient, Boolean(p.readOnly));
  const badOutlines = implausibleOutlines(estimate?.inputDoubts);
  const rows: [string, number | null, number | undefined, CaliperKind | null][] = [
    ['Length', p.lengths.mask.length, p.lengths.caliper.length, 'length'],
    ['Width', p.lengths.mask.width, p.lengths.caliper.width, 'width'],
    ['Thickness', p.lengths.mask.thickness, p.lengths.caliper.thickness, 'thickness'],
    ['Cranio-caudal', p.lengths.mask.craniocaudal, undefined, null],
  ];
  const { onRemoveCaliper } = p;
  return (
    <section className="panel" data-testid="comparison-panel">
      <h2>Comparison</h2>
      <table className="lengths" data-testid="lengths-table">
        <thead>
          <tr>
            {/* The corner heads nothing: a data cell, not an empty header. */}
            <td />
            <th title="Measured by your calipers">Caliper</th>
            <th title="Measured on the current mask (Feret length and perpendicular extent)">
              Mask
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, mask, caliper, kind]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td data-testid={`caliper-${label.toLowerCase()}`}>
                {cm(caliper)}
                {kind && onRemoveCaliper && p.drawnCalipers?.includes(kind) && (
                  <button
                    type="button"
                    className="remove-caliper"
                    data-testid={`remove-caliper-${kind}`}
                    title={`Remove the ${kind} caliper (Delete removes the last one drawn)`}
                    aria-label={`Remove the ${kind} caliper`}
                    onClick={() => onRemoveCaliper(kind)}
                  >
                    ×
                  </button>
                )}
              </td>
              <td data-testid={`mask-${label.toLowerCase()}`}>{cm(mask)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.calibrated && estimate ? (
        <>
          {badOutlines.length > 0 && (
            // In sight above the table, not only below the fold with the verdicts: every Δ here
            // compares with a volume from an outline no spleen has.
            <p className="warning" data-testid="comparison-outline-caveat">
              ⚠ {outlineComparisonText(badOutlines)}
            </p>
          )}
          <table className="formulas" data-testid="formula-table">
            <thead>
              <tr>
                <th>Method</th>
                <th>Volume</th>
                <th>Δ mL</th>
                <th>Δ %</th>
              </tr>
            </thead>
            <tbody>
              <tr
                className="deepspv"
                title="DeepSPV: Yuan et al., Medical Image Analysis 2025, doi 10.1016/j.media.2025.103671"
              >
                <td>DeepSPV</td>
                <td
                  className={badOutlines.length > 0 ? 'volume-unverified' : undefined}
                  title={badOutlines.length > 0 ? unverifiedVolumeTitle(badOutlines) : undefined}
                >
                  {ml(estimate.volumeMl)}
                  {badOutlines.length > 0 && '?'}{' '}
                  <span className="ci">
                    ({Math.round(estimate.ci95Ml[0])}–{Math.round(estimate.ci95Ml[1])})
                  </span>
                </td>
                <td />
                <td />
              </tr>
              {estimate.formulas.map((f) => {
                const diff = f.volumeMl === null ? null : f.volumeMl - estimate.volumeMl;
                return (
                  <tr
                    key={f.id}
                    data-testid={`formula-${f.id}`}
                    data-value={f.volumeMl ?? ''}
                    title={`${f.expression}\n${f.citation}`}
                  >
                    <td>{f.name}</td>
                    {f.volumeMl === null || diff === null ? (
                      <td colSpan={3} className="muted">
                        {f.unavailableReason ?? 'not available'}
                      </td>
                    ) : (
                      <>
                        <td>{ml(f.volumeMl)}</td>
                        <td>{signed(diff)}</td>
                        <td>{signed((diff / estimate.volumeMl) * 100)}%</td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <EstimateChart estimate={estimate} />
        </>
      ) : (
        <p className="muted" data-testid="comparison-no-volumes">
          {noVolumesText(p.caseOpen ?? true, p.calibrated, (p.failed ?? false) && !p.updating)}
        </p>
      )}
      <h3>Reference for this patient</h3>
      <fieldset
        className="patient"
        data-testid="patient-fields"
        disabled={Boolean(p.readOnly)}
        title={p.readOnly ?? undefined}
      >
        <label>
          Age{' '}
          <input
            type="number"
            min={0}
            max={130}
            // An infant's age from the DICOM header is kept to the month (0.25 = 3 months).
            step="any"
            data-testid="patient-age"
            value={p.patient.ageYears ?? ''}
            onChange={(e) => p.onPatient({ ...p.patient, ageYears: numberOrNull(e.target.value) })}
          />{' '}
          y
        </label>
        <label>
          Sex{' '}
          <select
            data-testid="patient-sex"
            value={p.patient.sex ?? ''}
            onChange={(e) =>
              p.onPatient({
                ...p.patient,
                sex: e.target.value === '' ? null : (e.target.value as 'female' | 'male'),
              })
            }
          >
            <option value="">—</option>
            <option value="female">female</option>
            <option value="male">male</option>
          </select>
        </label>
        <label title="Recorded with the case; the adult length limit does not use it yet (the height- and sex-adjusted table of Chow et al. 2016 could not be verified here)">
          Height (not used yet){' '}
          <input
            type="number"
            min={30}
            max={250}
            data-testid="patient-height"
            value={p.patient.heightCm ?? ''}
            onChange={(e) => p.onPatient({ ...p.patient, heightCm: numberOrNull(e.target.value) })}
          />{' '}
          cm
        </label>
      </fieldset>
      {studyNote && (
        <p className="muted" data-testid="patient-from-header">
          {studyNote}
        </p>
      )}
      {p.calibrated && estimate && (
        <ul className="classification" data-testid="classification">
          {estimate.classification.map((c) => (
            <li key={c.limitText} className={verdictClass(c, toCheck)} title={c.citation}>
              <VerdictStatus c={c} toCheck={toCheck} /> — {c.limitText}
              <div className="muted">{c.detail}</div>
            </li>
          ))}
          {toCheck.length > 0 && (
            // Why the verdicts above are neutral: said in words, not only in a tooltip.
            <li className="warning" data-testid="classification-check-first">
              ⚠ {unverifiedVerdictsText(toCheck)}
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
