/**
 * Where a caliper's label goes: beside its end point, to its right and below as a rule, but on the
 * other side where the label would run past the image's edge: a caliper drawn to the image's right
 * or bottom edge keeps its whole label ("length 116.0 mm") on the image, where the fitted pane
 * shows it, instead of losing its unit at the pane's edge. Pure.
 */

const GAP = 4;

/**
 * The label's top-left corner in image pixels, for a label `textWidth` wide and `fontSize` high
 * at the caliper's end point `end`.
 */
export function caliperLabelPlacement(
  end: readonly [number, number],
  textWidth: number,
  image: { width: number; height: number },
  fontSize: number,
): { x: number; y: number } {
  const leftward = end[0] + GAP + textWidth > image.width && end[0] - GAP - textWidth >= 0;
  const upward = end[1] + GAP + fontSize > image.height;
  return {
    x: leftward ? end[0] - GAP - textWidth : end[0] + GAP,
    y: upward ? end[1] - GAP - fontSize : end[1] + GAP,
  };
}
