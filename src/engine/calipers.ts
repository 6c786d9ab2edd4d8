/**
 * The reader's caliper lengths, checked against the caliper lines they came from. The formulas use
 * these lengths and the store keeps them as the reader's measurements, so the engine measures
 * every line itself, with its view's calibration, rather than trust a number the UI computed: a
 * stale or mistyped length is refused with the reason, never used in silence.
 */
import { CALIPER_VIEW, LENGTH_KINDS } from '../api/contract';
import type { Calibration, CaliperLine, Lengths, ViewName } from '../api/contract';
import { SpvError } from '../api/errors';
import { segmentLengthMm, spacingForSegment } from '../imaging/calibration';

/**
 * Largest difference (cm) allowed between a length sent and the length of its line measured here:
 * both sides run the same arithmetic, so only float rounding may differ (1 µm is far above it and
 * far below any line a reader could redraw).
 */
export const CALIPER_AGREEMENT_CM = 1e-4;

const given = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined;

/**
 * The lengths sent, without the kinds left out (null or absent). A length that is not a positive
 * number of centimetres is refused: the formulas would otherwise fall back to the mask's length
 * while the store kept the number sent as the reader's measurement.
 */
function sentLengths(sent: Partial<Lengths> | null | undefined): Partial<Lengths> {
  const lengths: Partial<Lengths> = {};
  for (const kind of LENGTH_KINDS) {
    const value = sent?.[kind];
    if (!given(value)) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new SpvError(
        'bad-input',
        `The ${kind} sent (${value} cm) is not a length: send a positive number of centimetres, or leave it out to use the length measured on the mask.`,
      );
    }
    lengths[kind] = value;
  }
  return lengths;
}

/**
 * The caliper lengths (cm) for the formulas, and the ones the store keeps as the reader's
 * measurements. Each kind's newest line (the one the viewer shows) is measured here; a length sent
 * for that kind must agree with it. A line that spans two ultrasound regions of different scale is
 * refused (spacingForSegment). A line on an uncalibrated view gives no length, and a length sent
 * for it is refused. Kinds without a line (the cranio-caudal length, or a length typed in) are
 * taken as sent. Only the kinds that have a length are returned; null when none has.
 */
export function verifiedCaliperLengths(
  lines: readonly CaliperLine[],
  calibrationOf: (view: ViewName) => Calibration | null,
  sent: Partial<Lengths> | null | undefined,
): Partial<Lengths> | null {
  const lengths = sentLengths(sent);
  const newest = new Map<CaliperLine['kind'], CaliperLine>();
  for (const line of lines) {
    const home = CALIPER_VIEW[line.kind];
    if (line.view !== home) {
      throw new SpvError(
        'bad-input',
        `A ${line.kind} caliper was sent on the ${line.view} view: the ${line.kind} is measured on the ${home} view; redraw it there.`,
      );
    }
    newest.set(line.kind, line);
  }
  for (const [kind, line] of newest) {
    const sentCm = lengths[kind];
    const calibration = calibrationOf(line.view);
    if (!calibration) {
      if (given(sentCm)) {
        throw new SpvError(
          'not-calibrated',
          `A ${kind} of ${sentCm} cm was sent for a caliper on the ${line.view} view, which has no calibration: calibrate that view before its calipers give lengths.`,
        );
      }
      continue;
    }
    const measuredCm =
      segmentLengthMm(line.a, line.b, spacingForSegment(line.a, line.b, calibration)) / 10;
    if (!(measuredCm > 0 && Number.isFinite(measuredCm))) {
      // The viewer never sends one (it drops lines under 2 px); an API call might.
      throw new SpvError(
        'bad-input',
        `The ${kind} caliper on the ${line.view} view has no length (its two ends are the same point): draw it from one end of the spleen to the other, or leave it out.`,
      );
    }
    if (given(sentCm) && Math.abs(sentCm - measuredCm) > CALIPER_AGREEMENT_CM) {
      throw new SpvError(
        'bad-input',
        `The ${kind} sent (${sentCm} cm) is not the length of its caliper on the ${line.view} view (${measuredCm.toFixed(2)} cm): send the caliper's own length, or redraw the caliper.`,
      );
    }
    lengths[kind] = measuredCm;
  }
  return Object.keys(lengths).length > 0 ? lengths : null;
}
