/**
 * Store and report benchmarks (issue 5), called by `npm run bench` and runnable alone with
 * `npx tsx bench/store.ts`: import of 1,000 images (re-encoded copies of the samples, so every
 * file is new to the store), opening a case (target ≤ 100 ms), saving an edit, and one PDF report
 * (target ≤ 1 s). Prints a markdown table of medians. Timings only: no assertions here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createEngine } from '../src/engine';
import { decodeMaskRle, encodeMaskRle } from '../src/imaging/mask-codec';
import { importPaths } from '../src/store/import';
import { CaseStore } from '../src/store/store';
import { createStoreService } from '../src/store-service/service';
import { quantile } from './stats';

const ROOT = join(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'models', 'samples');

export interface BenchRow {
  name: string;
  median: number;
  p95: number;
  unit: string;
  n: number;
  target?: string;
}

function row(name: string, values: number[], unit: string, target?: string): BenchRow {
  return {
    name,
    median: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    unit,
    n: values.length,
    target,
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

/** `pairs` cases of two views each, with sidecars: every image differs in one pixel from the sample. */
async function writeCopies(dir: string, pairs: number): Promise<void> {
  const views = ['coronal', 'transverse'] as const;
  const sources = await Promise.all(
    views.map(async (view) => {
      const file = join(SAMPLES, `sample-03_${view}.png`);
      const { data, info } = await sharp(file)
        .extractChannel(0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, info, sidecar: readFileSync(file.replace(/\.png$/, '.json')) };
    }),
  );
  for (let i = 0; i < pairs; i++) {
    for (const [v, view] of views.entries()) {
      const { data, info, sidecar } = sources[v];
      const pixels = Buffer.from(data);
      pixels[i % pixels.length] ^= 0xff; // a different file, same anatomy
      pixels[(i * 7919 + 13) % pixels.length] ^= 0x0f;
      const name = join(dir, `copy-${String(i).padStart(4, '0')}_${view}`);
      await sharp(pixels, { raw: { width: info.width, height: info.height, channels: 1 } })
        .png({ compressionLevel: 1 })
        .toFile(`${name}.png`);
      writeFileSync(`${name}.json`, sidecar);
    }
  }
}

export async function runStoreBench(
  options: { images?: number; log?: (line: string) => void } = {},
): Promise<BenchRow[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const images = options.images ?? 1000;
  const work = mkdtempSync(join(tmpdir(), 'spv-bench-store-'));
  const rows: BenchRow[] = [];
  try {
    const input = join(work, 'images');
    const dataDir = join(work, 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(input);
    log(`store bench: writing ${images} images…`);
    await writeCopies(input, Math.ceil(images / 2));

    const store = CaseStore.open(dataDir);
    const [report, importMs] = await timed(() => importPaths(store, [input]));
    store.close();
    rows.push(
      row(`import ${report.imported.length} images (whole import)`, [importMs / 1000], 's'),
    );
    rows.push(row('import, per image', [importMs / Math.max(1, report.imported.length)], 'ms'));

    const engine = await createEngine({
      modelsDir: join(ROOT, 'models'),
      samplesDir: SAMPLES,
      host: 'web',
    });
    try {
      const caseIds = report.caseIds.slice(0, 12);
      const first = createStoreService({ dataDir, engine });
      const firstOpen: number[] = [];
      for (const caseId of caseIds)
        firstOpen.push((await timed(() => first.openStoredCase({ caseId, reader: 'bench' })))[1]);
      rows.push(row('open a case the first time (decode + AI + store)', firstOpen, 'ms'));

      // Saving an edit: the UI's estimate call on a stored case (estimate + mask PNG + transaction).
      const opened = await first.openStoredCase({ caseId: caseIds[0], reader: 'bench' });
      const edits: number[] = [];
      for (let k = 0; k < 15; k++) {
        const mask = decodeMaskRle(opened.aiMasks!.coronal);
        for (let i = k; i < mask.length; i += 97) mask[i] = 0;
        const masks = {
          coronal: encodeMaskRle(
            mask,
            opened.aiMasks!.coronal.width,
            opened.aiMasks!.coronal.height,
          ),
          transverse: opened.aiMasks!.transverse,
        };
        edits.push((await timed(() => first.estimate({ caseId: opened.view.caseId, masks })))[1]);
      }
      rows.push(row('save an edit (estimate + mask version + audit)', edits, 'ms'));
      first.close();

      // A later session: the same cases, AI masks and estimates come from the database.
      const later = createStoreService({ dataDir, engine });
      const reopen: number[] = [];
      for (const caseId of caseIds.slice(1))
        reopen.push((await timed(() => later.openStoredCase({ caseId, reader: 'bench' })))[1]);
      rows.push(row('open a stored case (decode + stored masks)', reopen, 'ms', '≤ 100 ms'));

      const reports: number[] = [];
      for (const caseId of caseIds.slice(1, 7))
        reports.push((await timed(() => later.renderReport(Number(caseId), 'pdf', false)))[1]);
      rows.push(row('one PDF report', reports, 'ms', '≤ 1000 ms'));
      later.close();
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

export function storeBenchTable(rows: BenchRow[]): string {
  const lines = [
    '| store / reports | median | p95 | n | target |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${r.median.toFixed(r.unit === 's' ? 2 : 1)} ${r.unit} | ${r.p95.toFixed(r.unit === 's' ? 2 : 1)} ${r.unit} | ${r.n} | ${r.target ?? ''} |`,
    );
  return lines.join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const images = Number(process.env.SPV_BENCH_IMAGES ?? 1000);
  runStoreBench({ images }).then(
    (rows) => process.stdout.write(`${storeBenchTable(rows)}\n`),
    (error: unknown) => {
      process.stderr.write(
        `store bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
