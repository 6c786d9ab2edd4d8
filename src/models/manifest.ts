/**
 * The model manifest (models/manifest.json): the one place that decides grid sizes, normalisation,
 * volume scaling, interval calibration and the latent statistics (DESIGN §2, §4). Written by the
 * Python export (models/train/spv_train/export.py), validated here at load.
 *
 * Pure: zod and types only. Loading from disk and the hash checks live in src/inference/manifest-loader.ts.
 */
import { z } from 'zod';

/** A tensor's declared shape: numbers for fixed axes, names (e.g. "batch") for dynamic ones. */
const ShapeSchema = z.array(z.union([z.number().int().nonnegative(), z.string()]));

export const TensorSpecSchema = z.object({ name: z.string().min(1), shape: ShapeSchema });
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/i, 'a SHA-256 is 64 hexadecimal digits');
const FileNameSchema = z
  .string()
  .min(1)
  // A manifest names files beside itself; never a path that climbs out of the models folder.
  .refine((name) => !/[\\/]/.test(name) && name !== '..' && name !== '.', 'a plain file name inside the models folder');

export const ModelFileSchema = z.object({
  file: FileNameSchema,
  sha256: Sha256Schema,
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

export const SegmenterSchema = z.object({
  file: FileNameSchema,
  sha256: Sha256Schema,
  input_size: z.number().int().min(16).max(1024),
  input: TensorSpecSchema,
  output: TensorSpecSchema,
  normalization: z.object({ mean: z.number(), std: z.number().positive() }),
  threshold: z.number().gt(0).lt(1),
  /** PIPELINE §3b: below flag_below an unedited AI mask carries an "uncertain outline" warning. */
  confidence: z
    .object({
      statistic: z.string(),
      flag_below: z.number().gt(0).lt(1),
      flag_share_calib: z.number().gt(0).lt(1).optional(),
      fitted_on: z.string().optional(),
    })
    .optional(),
});
export type SegmenterSpec = z.infer<typeof SegmenterSchema>;

const VectorSchema = z.array(z.number());

export const LatentSchema = z.object({
  mean: VectorSchema,
  precision: z.array(VectorSchema),
  distance_threshold: z.number().positive(),
  pca: z.object({
    mean: VectorSchema,
    components: z.array(VectorSchema).length(2),
    explained_variance: VectorSchema,
  }),
  cloud: z.array(z.tuple([z.number(), z.number(), z.number()])).max(2000),
});
export type LatentStats = z.infer<typeof LatentSchema>;

export const IntervalSpecSchema = z.object({
  samples: z.number().int().min(2).max(4096).default(64),
  seed: z.number().int().nonnegative(),
  calibration_factor: z.number().positive(),
  coverage_calibration: z.number().optional(),
  coverage_test: z.number().optional(),
});
export type IntervalSpec = z.infer<typeof IntervalSpecSchema>;

export const VolumeScalingSchema = z.object({
  transform: z.literal('log'),
  mean: z.number(),
  std: z.number().positive(),
});
export type VolumeScaling = z.infer<typeof VolumeScalingSchema>;

export const RvaeSchema = z
  .object({
    channels: z.union([z.tuple([z.literal('coronal')]), z.tuple([z.literal('coronal'), z.literal('transverse')])]),
    latent_dim: z.number().int().positive().max(1024),
    encoder: ModelFileSchema,
    head: ModelFileSchema,
    decoder: ModelFileSchema,
    volume: VolumeScalingSchema,
    interval: IntervalSpecSchema,
    latent: LatentSchema,
    evaluation: z.record(z.string(), z.number().nullable()).optional(),
  })
  .superRefine((rvae, ctx) => {
    // The latent statistics must match the latent size, or every distance would be nonsense.
    const d = rvae.latent_dim;
    const checks: [string, number][] = [
      ['latent.mean', rvae.latent.mean.length],
      ['latent.pca.mean', rvae.latent.pca.mean.length],
      ['latent.pca.components[0]', rvae.latent.pca.components[0].length],
      ['latent.pca.components[1]', rvae.latent.pca.components[1].length],
      ['latent.precision', rvae.latent.precision.length],
      ...rvae.latent.precision.map((row, i): [string, number] => [`latent.precision[${i}]`, row.length]),
    ];
    for (const [path, length] of checks) {
      if (length !== d) ctx.addIssue({ code: 'custom', message: `${path} has ${length} values; latent_dim is ${d}` });
    }
  });
export type RvaeSpec = z.infer<typeof RvaeSchema>;

/** One declared tensor's fixed dimension, for a cross-check (names: "batch" etc. match anything). */
interface DeclaredDim {
  /** Where the dimension is declared, e.g. `rvae.single.encoder input "grid"`. */
  where: string;
  shape: readonly (number | string)[];
  axis: number;
}

/**
 * The sizes the manifest states (grid.size, channels, latent_dim, segmenter.input_size) are the
 * ones the code feeds the models; the declared shapes are the ones the models were exported with
 * (and are checked against the ONNX files when the sessions open). A manifest edited, or written
 * by another export, where the two disagree would only fail at the first inference with
 * onnxruntime's "invalid dimensions": refuse it at load, naming the field and both values.
 */
function crossCheckSizes(manifest: ManifestShape, ctx: z.RefinementCtx): void {
  const check = (field: (string | number)[], value: number, dims: DeclaredDim[]) => {
    for (const { where, shape, axis } of dims) {
      const declared = shape[axis];
      if (typeof declared !== 'number' || declared === value) continue;
      ctx.addIssue({
        code: 'custom',
        path: field,
        message:
          `${value}, but ${where} has ${declared} there (shape [${shape.join(', ')}]): ` +
          'the manifest does not match its models; re-export the manifest and the models together',
      });
      return; // One issue per field: the first disagreement says enough.
    }
  };
  const seg = manifest.segmenter;
  check(['segmenter', 'input_size'], seg.input_size, [
    { where: `segmenter input "${seg.input.name}"`, shape: seg.input.shape, axis: 2 },
    { where: `segmenter input "${seg.input.name}"`, shape: seg.input.shape, axis: 3 },
    { where: `segmenter output "${seg.output.name}"`, shape: seg.output.shape, axis: 2 },
    { where: `segmenter output "${seg.output.name}"`, shape: seg.output.shape, axis: 3 },
  ]);
  for (const mode of ['single', 'dual'] as const) {
    const rvae = manifest.rvae[mode];
    if (!rvae) continue;
    const name = `rvae.${mode}`;
    const gridIn = rvae.encoder.inputs[0];
    const recon = rvae.decoder.outputs[0];
    const encoderIn = { where: `${name}.encoder input "${gridIn.name}"`, shape: gridIn.shape };
    const decoderOut = { where: `${name}.decoder output "${recon.name}"`, shape: recon.shape };
    check(['grid', 'size'], manifest.grid.size, [
      { ...encoderIn, axis: 2 },
      { ...encoderIn, axis: 3 },
      { ...decoderOut, axis: 2 },
      { ...decoderOut, axis: 3 },
    ]);
    check([...name.split('.'), 'channels'], rvae.channels.length, [
      { ...encoderIn, axis: 1 },
      { ...decoderOut, axis: 1 },
    ]);
    const latentDims: DeclaredDim[] = [
      ...rvae.encoder.outputs.slice(0, 2).map((spec) => ({
        where: `${name}.encoder output "${spec.name}"`,
        shape: spec.shape,
        axis: 1,
      })),
      ...(['head', 'decoder'] as const).map((part) => ({
        where: `${name}.${part} input "${rvae[part].inputs[0].name}"`,
        shape: rvae[part].inputs[0].shape,
        axis: 1,
      })),
    ];
    check([...name.split('.'), 'latent_dim'], rvae.latent_dim, latentDims);
  }
}

const ManifestObjectSchema = z.object({
  schema_version: z.literal(1),
  model_version: z.string().min(1),
  created: z.string().optional(),
  opset: z.number().int().optional(),
  segmenter: SegmenterSchema,
  grid: z.object({ size: z.number().int().min(8).max(512), spacing_mm: z.number().positive() }),
  rvae: z.object({ single: RvaeSchema, dual: RvaeSchema.optional() }),
  formulas: z.object({
    length_only: z.object({
      intercept_ml: z.number(),
      slope_ml_per_cm: z.number(),
      n: z.number().int().nonnegative().optional(),
      fitted_on: z.string().optional(),
    }),
  }),
  training_data: z.record(z.string(), z.unknown()).optional(),
  evaluation: z.record(z.string(), z.unknown()).optional(),
});
type ManifestShape = z.infer<typeof ManifestObjectSchema>;

export const ManifestSchema = ManifestObjectSchema.superRefine(crossCheckSizes);
export type Manifest = z.infer<typeof ManifestSchema>;

export type RvaeModeName = keyof Manifest['rvae'];

/** Every ONNX file the manifest names, with the role it plays (for hash checks and messages). */
export function manifestFiles(manifest: Manifest): { role: string; file: string; sha256: string }[] {
  const files = [{ role: 'segmenter', file: manifest.segmenter.file, sha256: manifest.segmenter.sha256 }];
  for (const mode of ['single', 'dual'] as const) {
    const rvae = manifest.rvae[mode];
    if (!rvae) continue;
    for (const part of ['encoder', 'head', 'decoder'] as const) {
      files.push({ role: `rvae.${mode}.${part}`, file: rvae[part].file, sha256: rvae[part].sha256 });
    }
  }
  return files;
}

/** Parse a manifest, turning zod's issues into one readable sentence. */
export function parseManifest(
  json: unknown,
  where: string,
): { ok: true; manifest: Manifest } | { ok: false; message: string } {
  const result = ManifestSchema.safeParse(json);
  if (result.success) return { ok: true, manifest: result.data };
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, message: `${where} is not a valid model manifest (${issues}): reinstall the models` };
}
