/**
 * A sign-off time as a reader of the paper report reads it: "2 Dec 2026, 03:28 UTC", not the
 * stored ISO value. Said in UTC, with its zone named: the report is printed on one machine and read
 * anywhere, and the store records UTC. Written out by hand (not Intl), so that the report reads
 * the same whatever locale data the installation's Node carries. Pure.
 */

const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

const twoDigits = (n: number): string => String(n).padStart(2, '0');

/** "2 Dec 2026, 03:28 UTC"; a value that is no time (a damaged row) is printed as stored. */
export function readableSignOffTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return (
    `${time.getUTCDate()} ${MONTHS[time.getUTCMonth()]} ${time.getUTCFullYear()}, ` +
    `${twoDigits(time.getUTCHours())}:${twoDigits(time.getUTCMinutes())} UTC`
  );
}
