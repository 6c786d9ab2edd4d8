/** Number formatting shared by the panels: volumes in whole mL, lengths in cm with one decimal. */
export const ml = (v: number): string => `${Math.round(v)} mL`;
export const cm = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${v.toFixed(1)} cm`;
export const signed = (v: number, digits = 0): string =>
  `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/**
 * A stored time (ISO 8601, UTC) as the reader reads a clock: local date and time with the zone
 * ("2 Dec 2026, 04:28:19 CET"). `locale` and `timeZone` default to the reader's; a value that is
 * not a time is shown as it came.
 */
export function localDateTime(
  iso: string,
  options: { locale?: string; timeZone?: string } = {},
): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: 'medium',
    timeStyle: 'long',
    timeZone: options.timeZone,
  }).format(time);
}
