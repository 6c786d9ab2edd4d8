/**
 * Run the BUILT command line (dist/cli/spv.cjs through bin/spv.cjs) as a child process, as a user
 * would. `npm test` builds first; a targeted run builds once if the bundle is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/** The models under test: the shipped ones unless SPV_TEST_MODELS_DIR points elsewhere. */
export const MODELS_DIR = process.env.SPV_TEST_MODELS_DIR
  ? resolve(process.env.SPV_TEST_MODELS_DIR)
  : join(ROOT, 'models');
export const SAMPLES_DIR = join(MODELS_DIR, 'samples');
export const HAVE_MODELS = existsSync(join(MODELS_DIR, 'manifest.json'));
export const HAVE_SAMPLES = existsSync(join(SAMPLES_DIR, 'index.csv'));

export function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'spv.cjs'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

export interface SpvRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runSpv(
  args: string[],
  options: { cwd?: string; modelsDir?: string } = {},
): Promise<SpvRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'spv.cjs'), ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, SPV_MODELS_DIR: options.modelsDir ?? MODELS_DIR },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
