/**
 * `npm run bench`: per-stage latency (median and p95 over repeated runs), end-to-end per case,
 * re-estimate after a mask edit, cases per minute in a batch, peak memory — and the same networks
 * in PyTorch (bench/torch_reference.py) side by side. Prints a markdown table.
 *
 * Options: --models DIR (default models/), --repeats N (default 30), --threads N (onnxruntime
 * intra-op threads; default the engine's), --no-torch.
 * Timings are never asserted in tests; the targets of issue 2 are printed beside the numbers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { decodeImageBuffer, decodeImageFile } from '../src/decode';
import { createEngine } from '../src/engine/engine';
import { readCaseIndex } from '../src/engine/samples';
import { maskToGrid } from '../src/imaging/grid';
import { spacingOf } from '../src/imaging/calibration';
import {
  HEAD_INTRA_OP_THREADS,
  OnnxInference,
  defaultIntraOpThreads,
  sessionOptions,
} from '../src/inference/onnx-inference';
import { loadManifest } from '../src/inference/manifest-loader';
import { estimateCaseFiles } from '../src/cli/case-files';
import { dicomVariants } from './dicom-decode';
import { runStoreBench, storeBenchTable } from './store';
import { medianAndP95 } from './stats';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'models' },
    repeats: { type: 'string', default: '30' },
    threads: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const modelsDir = resolve(values.models);
const repeats = Math.max(3, Number(values.repeats));
const threads = values.threads ? Number(values.threads) : defaultIntraOpThreads();

interface Stat {
  median: number;
  p95: number;
}

const stats = (samples: number[]): Stat => medianAndP95(samples);

/** Runs and warm-ups for the head, here and in bench/torch_reference.py (see where it is timed). */
const HEAD_REPEATS = 2000;
const HEAD_WARMUP = 200;

async function time(fn: () => Promise<unknown> | unknown, n = repeats, warmup = 3): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return stats(samples);
}

interface TorchStage {
  median_ms: number;
  p95_ms: number;
}

/** One large fp32 matrix product: the best arithmetic rate a runtime reaches on this CPU. */
interface MatmulRun extends TorchStage {
  n: number;
  macs: number;
  /** The same product as an ONNX graph, for onnxruntime (written on request). */
  onnx?: string;
}

interface TorchRun {
  torch: string;
  threads: number;
  weights: string;
  stages: Record<string, TorchStage>;
  /** Multiply-adds of one U-Net pass (its convolution layers). */
  unet_macs: number;
  matmul: MatmulRun;
}

/** PyTorch's timings, each stage at whichever thread count ran it faster. */
interface TorchResult {
  torch: string;
  weights: string;
  threadCounts: number[];
  stages: Record<string, TorchStage & { threads: number }>;
  unetMacs: number;
  matmul: MatmulRun & { threads: number };
}

/**
 * Both runtimes at their best: onnxruntime runs the head on one thread, straight through its native
 * session (onnx-inference.ts, direct-runner.ts), so PyTorch is timed on one thread and on the
 * engine's count, and each stage keeps its faster run.
 */
async function torchReference(): Promise<TorchResult | string> {
  if (values['no-torch']) return 'skipped (--no-torch)';
  const counts = [...new Set([1, threads])];
  const runs: TorchRun[] = [];
  for (const count of counts) {
    const run = await torchReferenceRun(count);
    if (typeof run === 'string') return run;
    runs.push(run);
  }
  const fastestMatmul = runs.reduce((best, run) =>
    run.matmul.median_ms < best.matmul.median_ms ? run : best,
  );
  const stages: TorchResult['stages'] = {};
  for (const run of runs) {
    for (const [name, stage] of Object.entries(run.stages)) {
      const best = stages[name];
      if (!best || stage.median_ms < best.median_ms)
        stages[name] = { ...stage, threads: run.threads };
    }
  }
  return {
    torch: runs[0].torch,
    weights: runs[0].weights,
    threadCounts: counts,
    stages,
    unetMacs: runs[0].unet_macs,
    matmul: { ...fastestMatmul.matmul, onnx: runs[0].matmul.onnx, threads: fastestMatmul.threads },
  };
}

function torchReferenceRun(threadCount: number): Promise<TorchRun | string> {
  return new Promise((done) => {
    execFile(
      '/usr/bin/python3',
      [
        join('bench', 'torch_reference.py'),
        '--models',
        modelsDir,
        '--threads',
        String(threadCount),
        '--repeats',
        String(repeats),
        '--matmul-onnx',
        matmulOnnxPath,
      ],
      {
        env: { ...process.env, OPENBLAS_NUM_THREADS: String(threadCount) },
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) done(`skipped: ${String(stderr).trim() || error.message}`);
        else done(JSON.parse(String(stdout)) as TorchRun);
      },
    );
  });
}

/** Where the reference writes its matrix-product graph; removed when the bench ends. */
const scratchDir = mkdtempSync(join(tmpdir(), 'spv-bench-'));
const matmulOnnxPath = join(scratchDir, 'matmul.onnx');
process.on('exit', () => rmSync(scratchDir, { recursive: true, force: true }));

/**
 * Multiply-adds per second of the U-Net in both runtimes beside each runtime's rate on one large
 * matrix product: the ceiling on how much faster onnxruntime's U-Net could be, stated from
 * measurements rather than argued.
 */
async function arithmeticRates(torch: TorchResult, unetMs: number): Promise<string[]> {
  const torchUnet = torch.stages['segment (U-Net)'];
  const gmacs = (macs: number, ms: number) => macs / ms / 1e6;
  const rate = (value: number) => `${value.toFixed(0)} GMAC/s`;
  const lines = [
    `Arithmetic: one U-Net pass is ${(torch.unetMacs / 1e6).toFixed(0)} M multiply-adds (its convolutions). ` +
      `onnxruntime ran it at ${rate(gmacs(torch.unetMacs, unetMs))}, PyTorch at ${rate(gmacs(torch.unetMacs, torchUnet.median_ms))}; ` +
      `2× PyTorch would take ${rate(2 * gmacs(torch.unetMacs, torchUnet.median_ms))}.`,
  ];
  const { n, macs } = torch.matmul;
  let ortMatmul = 'not timed';
  if (torch.matmul.onnx) {
    const session = await ort.InferenceSession.create(
      torch.matmul.onnx,
      sessionOptions('cpu', threads),
    );
    const operand = new ort.Tensor('float32', new Float32Array(n * n).fill(0.5), [n, n]);
    const stat = await time(
      () => session.run({ a: operand, b: operand }),
      Math.max(5, repeats / 2),
    );
    await session.release();
    ortMatmul = `${rate(gmacs(macs, stat.median))} in onnxruntime (${threads} threads)`;
  }
  lines.push(
    `A ${n}³ fp32 matrix product, the best case for either runtime, ran at ${ortMatmul} and ` +
      `${rate(gmacs(macs, torch.matmul.median_ms))} in PyTorch (${torch.matmul.threads} thread${torch.matmul.threads === 1 ? '' : 's'}).`,
  );
  return lines;
}

/** Milliseconds to 3 significant figures at most; below 0.1 ms (the head) in µs precision. */
const fmt = (ms: number) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 0.1 ? ms.toFixed(2) : ms.toFixed(4);

async function main() {
  const manifest = await loadManifest(modelsDir);
  const index = await readCaseIndex(join(modelsDir, 'samples', 'index.csv'));
  const sample = index.rows.find((row) => row.id === 'sample-03') ?? index.rows[0];
  const engine = await createEngine({
    modelsDir,
    host: 'web',
    sessionOptions: { intraOpNumThreads: threads },
  });
  const inference = await OnnxInference.create(manifest, modelsDir, { intraOpNumThreads: threads });
  const info = engine.inferenceInfo();

  const rows: { stage: string; stat: Stat; target?: string; torch?: string }[] = [];
  const decoded = await decodeImageFile(sample.coronal, { spacing: sample.spacing });
  if (!decoded.calibration) throw new Error(`${sample.coronal} has no calibration`);
  const spacing = spacingOf(decoded.calibration);
  const { width, height } = decoded.grey;

  rows.push({
    stage: 'decode (PNG)',
    stat: await time(() => decodeImageFile(sample.coronal, { spacing: sample.spacing })),
  });
  const size = manifest.segmenter.input_size;
  const unetInput = new Float32Array(size * size);
  const unetStat = await time(() => inference.segment(unetInput, size));
  rows.push({ stage: 'segment: U-Net only', stat: unetStat });
  rows.push({
    stage: 'segment (letterbox → U-Net → mask + confidence)',
    stat: await time(() => engine.segmentGrey(decoded.grey)),
  });
  const { mask } = await engine.segmentGrey(decoded.grey);
  const g = manifest.grid;
  rows.push({
    stage: 'grid',
    stat: await time(() => maskToGrid(mask, width, height, spacing, g.size, g.spacing_mm)),
  });
  const grid = maskToGrid(mask, width, height, spacing, g.size, g.spacing_mm).grid;
  const encodeStat = await time(() => inference.encode('single', grid, 1));
  rows.push({ stage: 'encode (single)', stat: encodeStat });
  const k = manifest.rvae.single.interval.samples;
  const d = manifest.rvae.single.latent_dim;
  const z = new Float32Array((k + 1) * d).map(() => Math.random() - 0.5);
  // A call of tens of microseconds: 30 runs after 3 warm-ups still time V8 compiling the call path
  // (the first ~30 calls take 2–3× longer), so this stage, in both runtimes, is timed at steady state.
  const headStat = await time(() => inference.head('single', z, k + 1), HEAD_REPEATS, HEAD_WARMUP);
  const headStage = `head K=${k} (one call, ${k + 1} rows)`;
  rows.push({ stage: headStage, stat: headStat });
  // The same call through onnxruntime-node's public API, which the engine's heads skip
  // (src/inference/direct-runner.ts): the difference is the wrapper's cost.
  const headFile = join(modelsDir, manifest.rvae.single.head.file);
  const publicHead = await ort.InferenceSession.create(
    headFile,
    sessionOptions('cpu', HEAD_INTRA_OP_THREADS),
  );
  const headFeeds = {
    [manifest.rvae.single.head.inputs[0].name]: new ort.Tensor('float32', z, [k + 1, d]),
  };
  rows.push({
    stage: `head K=${k} through ort.InferenceSession.run (not used; for comparison)`,
    stat: await time(() => publicHead.run(headFeeds), HEAD_REPEATS, HEAD_WARMUP),
  });
  await publicHead.release();

  const singleView = { coronal: sample.coronal, spacing: sample.spacing, kind: 'image' as const };
  rows.push({
    stage: 'end-to-end single-view case (decode → estimate)',
    stat: await time(() => estimateCaseFiles(engine, singleView)),
    target: '≤ 80 ms',
  });
  if (sample.transverse) {
    const dual = { ...singleView, transverse: sample.transverse };
    rows.push({
      stage: 'end-to-end dual-view case',
      stat: await time(() => estimateCaseFiles(engine, dual)),
    });
  }

  // A brush stroke: erase a disk of 6 px radius at a moving place on the mask's edge, re-estimate.
  const edited = Uint8Array.from(mask);
  let stroke = 0;
  const foreground: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) foreground.push(i);
  rows.push({
    stage: 're-estimate after a mask edit',
    stat: await time(async () => {
      const centre = foreground[(stroke++ * 7919) % foreground.length];
      const cx = centre % width;
      const cy = Math.floor(centre / width);
      for (let y = Math.max(0, cy - 6); y <= Math.min(height - 1, cy + 6); y++)
        for (let x = Math.max(0, cx - 6); x <= Math.min(width - 1, cx + 6); x++)
          if ((x - cx) ** 2 + (y - cy) ** 2 <= 36) edited[y * width + x] = 0;
      await engine.estimateFromMasks({ coronal: { mask: edited, width, height, spacing } });
      edited.set(mask);
    }),
    target: '≤ 15 ms',
  });

  // Batch: the sample cases (images, both views where present) repeated, sessions created once.
  const batchRows = Array.from({ length: 3 }, () => index.rows).flat();
  const batchStart = performance.now();
  for (const row of batchRows) await estimateCaseFiles(engine, row);
  const batchSeconds = (performance.now() - batchStart) / 1000;
  const casesPerMinute = (60 * batchRows.length) / batchSeconds;

  const torch = await torchReference();
  const ratio = (ort: Stat, name: string) => {
    if (typeof torch === 'string') return undefined;
    const t = torch.stages[name];
    return t
      ? `${fmt(t.median_ms)} ms on ${t.threads} thread${t.threads === 1 ? '' : 's'} (ORT speed-up ${(t.median_ms / ort.median).toFixed(2)}×)`
      : undefined;
  };
  const unetRow = rows.find((r) => r.stage === 'segment: U-Net only');
  if (unetRow) unetRow.torch = ratio(unetStat, 'segment (U-Net)');
  const encodeRow = rows.find((r) => r.stage === 'encode (single)');
  if (encodeRow) encodeRow.torch = ratio(encodeStat, 'encode (single)');
  const headRow = rows.find((r) => r.stage === headStage);
  if (headRow) headRow.torch = ratio(headStat, `head K=${k} (single)`);

  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  await inference.close();
  await engine.close();

  const out: string[] = [];
  out.push(`# spv bench — ${new Date().toISOString()}`);
  out.push('');
  out.push(
    `Models ${manifest.model_version}; provider ${info.provider}; intra-op threads ${threads}; ${repeats} runs per stage; ` +
      `sample ${sample.id} (${width}×${height}); Node ${process.version}; CPU cores ${(await import('node:os')).availableParallelism()}.`,
  );
  out.push('');
  out.push('| stage | median ms | p95 ms | target | PyTorch median (same graph) |');
  out.push('| --- | ---: | ---: | --- | --- |');
  for (const row of rows) {
    out.push(
      `| ${row.stage} | ${fmt(row.stat.median)} | ${fmt(row.stat.p95)} | ${row.target ?? ''} | ${row.torch ?? ''} |`,
    );
  }
  out.push(
    `| batch: ${batchRows.length} cases (samples ×3) | ${casesPerMinute.toFixed(0)} cases/min | | ≥ 400 cases/min | |`,
  );
  out.push(`| peak RSS | ${peakRssMb.toFixed(0)} MB | | ≤ 400 MB | |`);
  out.push('');
  if (typeof torch === 'string') out.push(`PyTorch reference: ${torch}`);
  else
    out.push(
      `PyTorch ${torch.torch}, timed on ${torch.threadCounts.join(' and ')} thread(s), each stage at its faster count; ` +
        `weights ${torch.weights}. onnxruntime: the head on 1 thread through its native session, the rest on ${threads}. Target: onnxruntime ≥ 2× faster.`,
      '',
      ...(await arithmeticRates(torch, unetStat.median)),
    );
  process.stdout.write(`${out.join('\n')}\n`);

  // The DICOM decoders on the same image, as shipped and re-encoded (bench/dicom-decode.ts): after
  // the engine table, so that the encoders loaded to make the files are not in its peak RSS.
  const dicomSample = join(modelsDir, 'samples', 'sample-03_coronal.dcm');
  const dicomRows = [
    '| DICOM decoding (sample-03 coronal) | median ms | p95 ms |',
    '| --- | ---: | ---: |',
  ];
  for (const [label, bytes] of Object.entries(await dicomVariants(dicomSample))) {
    const stat = await time(() => decodeImageBuffer(bytes, dicomSample));
    dicomRows.push(`| ${label} | ${fmt(stat.median)} | ${fmt(stat.p95)} |`);
  }
  process.stdout.write(`\n${dicomRows.join('\n')}\n`);

  // Store and reports (issue 5): import of 1,000 images, opening a case, one report. Run after the
  // engine table so that its peak RSS above is the engine's alone.
  const storeRows = await runStoreBench({ images: Number(process.env.SPV_BENCH_IMAGES ?? 1000) });
  process.stdout.write(`\n${storeBenchTable(storeRows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
