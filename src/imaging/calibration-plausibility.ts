/**
 * Whether a reader's depth-ruler calibration is believable for an abdominal ultrasound image, so
 * that a mistyped distance (or a line on the wrong marks) is questioned instead of going into the
 * volume unseen. Pure: the bounds and the words.
 *
 * Pixel size: abdominal probes image 8–30 cm deep, and the image shows that depth over 300–1000
 * pixels, so a real image lies between 80 mm / 1000 px = 0.08 and 300 mm / 300 px = 1.0 mm/px.
 * The bounds leave room either side (high-resolution exports, a small cropped frame) and still
 * catch the usual slips: a distance in cm typed as mm (10× too small) or a line over one ruler
 * step given the whole ruler's length.
 */
export const PLAUSIBLE_SPACING_MM = { min: 0.06, max: 1.5 } as const;

/** The spleen's coronal length: a few cm in an infant, at most ~30 cm in massive splenomegaly. */
export const PLAUSIBLE_LENGTH_CM = { min: 3, max: 30 } as const;

/**
 * What looks wrong with a calibration giving `spacingMm` mm/px (and, for the coronal view, a mask
 * length of `coronalLengthCm`, null when not measured); null when nothing does.
 */
export function calibrationWarning(
  spacingMm: number,
  coronalLengthCm: number | null,
): string | null {
  const problems: string[] = [];
  if (spacingMm < PLAUSIBLE_SPACING_MM.min || spacingMm > PLAUSIBLE_SPACING_MM.max) {
    problems.push(
      `${spacingMm.toFixed(3)} mm per pixel is outside ${PLAUSIBLE_SPACING_MM.min}–${PLAUSIBLE_SPACING_MM.max} mm/px, the range of abdominal ultrasound images`,
    );
  }
  if (
    coronalLengthCm !== null &&
    (coronalLengthCm < PLAUSIBLE_LENGTH_CM.min || coronalLengthCm > PLAUSIBLE_LENGTH_CM.max)
  ) {
    problems.push(
      `the spleen's length comes out at ${coronalLengthCm.toFixed(1)} cm, outside ${PLAUSIBLE_LENGTH_CM.min}–${PLAUSIBLE_LENGTH_CM.max} cm`,
    );
  }
  if (problems.length === 0) return null;
  return `Check the calibration: ${problems.join(', and ')}. Is the distance right (in mm) and the line drawn between those two ruler marks? Redraw the line and apply again, or keep it if it is right.`;
}
