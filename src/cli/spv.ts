/**
 * The `spv` command line (built to dist/cli/spv.cjs, run as `node bin/spv.cjs …` or `npx spv …`).
 * Exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 bad input (the message names the file and
 * the problem), 130 a batch stopped by Ctrl+C.
 */
import { isSpvError } from '../api/errors';
import packageJson from '../../package.json';
import { run as runCase } from './commands/case';
import { run as runImport } from './commands/import';
import { run as runReport } from './commands/report';
import { run as runSession } from './commands/session';
import { BATCH_USAGE, runBatch } from './batch';
import { ESTIMATE_USAGE, runEstimate } from './estimate';
import { EXIT, asUsageError } from './usage';

const HELP = `spv ${packageJson.version} — spleen volume from 2D ultrasound (DeepSPV), with the clinical formulas

Usage:
  ${ESTIMATE_USAGE.split('\n').join('\n  ')}
  ${BATCH_USAGE.split('\n').join('\n  ')}
  spv report …    spv session …    spv import …    spv case …   (cases, review sessions and reports; see spv <command> --help)
  spv --help | --version

Images: PNG/JPEG (calibration from a <name>.json sidecar with "spacing_mm": [sx, sy], else --spacing) or
DICOM (calibration from its ultrasound regions or Pixel Spacing, else --spacing). No calibration, no volume.
Exit codes: 0 ok, 1 unexpected failure, 2 usage error, 3 bad input (batch: some rows failed;
import: some file or AI run failed, the rest imported), 130 batch stopped by Ctrl+C.
Models: --models DIR, else $SPV_MODELS_DIR, else the installation's models/ folder.
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  estimate: runEstimate,
  batch: runBatch,
  report: runReport,
  session: runSession,
  import: runImport,
  case: runCase,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageJson.version}\n`);
    return EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`spv: unknown command "${command}"\n\n${HELP}`);
    return EXIT.usage;
  }
  if (
    (command === 'estimate' || command === 'batch') &&
    (rest.includes('--help') || rest.includes('-h'))
  ) {
    process.stdout.write(`${command === 'estimate' ? ESTIMATE_USAGE : BATCH_USAGE}\n`);
    return EXIT.ok;
  }
  try {
    return await run(rest);
  } catch (error) {
    const usage = asUsageError(error);
    if (usage) {
      process.stderr.write(`spv ${command}: ${usage.message}\n(see spv --help)\n`);
      return EXIT.usage;
    }
    if (isSpvError(error)) {
      process.stderr.write(`spv ${command}: ${error.message}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(
      `spv ${command}: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failure;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`spv: ${String(error)}\n`);
    process.exitCode = EXIT.failure;
  },
);
