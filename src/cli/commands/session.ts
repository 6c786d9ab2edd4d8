/**
 * `spv session`: placeholder created by the engine engineer so that src/cli/spv.ts can bundle its
 * dispatch before the store engineer lands the real command (they own this file and replace it).
 */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('spv session: not implemented yet\n');
  return 2;
}
