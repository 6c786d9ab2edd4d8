/**
 * `npm run serve`: the workstation in a browser. Starts the engine, serves dist/renderer and the
 * API on 127.0.0.1 with a per-launch token, and prints the URL to open.
 *
 *   node dist/main/web-host.cjs [--port N] [--data-dir DIR] [--cases-dir DIR]... [--open-sample] [--sample ID]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSpvError } from '../src/api/errors';
import { startWebHost } from './http-server';
import { appPaths, createServices } from './services';
import { defaultDataDir } from '../src/store/data-dir';

export { startWebHost } from './http-server';

const USAGE = `Usage: node dist/main/web-host.cjs [--port N] [--data-dir DIR] [--cases-dir DIR]... [--open-sample] [--sample ID]
  --port N          listen on 127.0.0.1:N (default: a free port)
  --data-dir DIR    cases database and exports (default: the desktop app's user-data folder)
  --cases-dir DIR   a folder the UI may open images from (repeatable; models/samples is always allowed)
  --open-sample     open the default bundled sample at start, not only on the first start
  --sample ID       open this bundled sample at start`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'cases-dir': { type: 'string', multiple: true },
        'open-sample': { type: 'boolean' },
        sample: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a whole number 0–65535, got "${args.port}".\n`);
    return 2;
  }
  // dist/main/web-host.cjs → the app root two folders up.
  const appRoot = resolve(__dirname, '..', '..');
  const paths = appPaths(appRoot, resolve(args['data-dir'] ?? defaultDataDir()));
  const services = await createServices(paths, 'web');
  const host = await startWebHost({
    service: services.service,
    rendererDir: resolve(appRoot, 'dist', 'renderer'),
    allowedRoots: [
      paths.samplesDir,
      paths.dataDir,
      ...(args['cases-dir'] ?? []).map((d) => resolve(d)),
    ],
    port,
    urlQuery: args.sample
      ? { sample: args.sample }
      : args['open-sample']
        ? { sample: 'default' }
        : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`SPV Workstation web host: ${host.url}\n`);
  const stop = () => {
    void host
      .close()
      .then(() => services.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(
      `SPV web host could not start: ${isSpvError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(isSpvError(err) ? 3 : 1);
  },
);
