// Bundles the command line, the hosts and the renderer with esbuild.
// Native packages stay external: they are loaded from node_modules at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The WebAssembly codecs find their .wasm files beside their own scripts.
const external = [
  'electron',
  'sharp',
  'onnxruntime-node',
  'better-sqlite3',
  'pdfkit',
  'dcmjs',
  '@cornerstonejs/codec-charls',
  '@cornerstonejs/codec-openjpeg',
  '@cornerstonejs/codec-libjpeg-turbo-8bit',
];

const nodeEntries = [
  ['src/cli/spv.ts', 'dist/cli/spv.cjs'],
  ['main/web-host.ts', 'dist/main/web-host.cjs'],
  ['main/electron-main.ts', 'dist/main/electron-main.cjs'],
  ['main/preload.ts', 'dist/main/preload.cjs'],
  ['main/inference-process.ts', 'dist/main/inference-process.cjs'],
].filter(([src]) => existsSync(join(root, src)));

await Promise.all(
  nodeEntries.map(([src, out]) =>
    build({
      entryPoints: [join(root, src)],
      outfile: join(root, out),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      external,
      logLevel: 'warning',
    }),
  ),
);

if (existsSync(join(root, 'renderer/index.tsx'))) {
  await build({
    entryPoints: [join(root, 'renderer/index.tsx')],
    outfile: join(root, 'dist/renderer/app.js'),
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: true,
    jsx: 'automatic',
    loader: { '.css': 'css' },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  mkdirSync(join(root, 'dist/renderer'), { recursive: true });
  copyFileSync(join(root, 'renderer/index.html'), join(root, 'dist/renderer/index.html'));
}
