/**
 * From masks to a volume with its interval (PIPELINE §4–§6), the part of the pipeline that runs
 * after every stroke of the mask editor. Kept fast: one encoder call, ONE head call for the point
 * estimate and all K samples together, and buffers reused between calls.
 */
import type { Estimate, Explanation, Patient, Lengths } from '../api/contract';
import { SpvError } from '../api/errors';
import { uncertainOutlinePhrase } from '../clinical/check-first';
import { classify } from '../clinical/reference-limits';
import { computeFormulas } from '../clinical/formulas';
import { outlineDefects, touchesBorder } from '../imaging/components';
import { maskToGrid } from '../imaging/grid';
import { maskBounds, type MaskBounds } from '../imaging/mask-bounds';
import { estimateVolume, sampleLatents } from '../models/interval';
import { mahalanobisDistance, pcaPosition } from '../models/latent';
import type { Manifest, RvaeSpec } from '../models/manifest';
import { standardNormalMatrix } from '../models/rng';
import { providerWarnings } from '../inference/providers';
import type { Inference, InferenceInfo, RvaeMode } from '../inference/types';
import { inputDoubts, trainingDataDoubt, type InputDoubt } from './input-doubts';
import { lengthsFromMasks, mergeCaliperLengths, type MeasuredLengths } from './lengths';
import type { MasksInput, ViewMask } from './types';

export interface EstimateOptions {
  patient?: Patient | null;
  caliperLengths?: Partial<Lengths> | null;
}

/** The API's Estimate plus what the command line and the store also report. */
export interface DetailedEstimate extends Estimate {
  measuredLengths: MeasuredLengths;
  mahalanobis: number;
  distanceThreshold: number;
  y0: number;
  mu: Float32Array;
}

/** A view's maskBounds; undefined for a mask of the wrong size (maskToGrid refuses it). */
type BoundsOf = (view: ViewMask) => MaskBounds | null | undefined;

/** maskBounds of each view, computed at most once per mask (one estimate's scans). */
function scanOnce(): BoundsOf {
  const scanned = new Map<Uint8Array, MaskBounds | null>();
  return (view) => {
    if (view.mask.length !== view.width * view.height) return undefined;
    if (!scanned.has(view.mask))
      scanned.set(view.mask, maskBounds(view.mask, view.width, view.height));
    return scanned.get(view.mask);
  };
}

interface ModeState {
  spec: RvaeSpec;
  /** ε [K × D], fixed per model: the same mask always gives the same interval. */
  eps: Float64Array;
}
// The grid and the head's input are made for each call, never kept per mode: onnxruntime reads an
// input tensor's buffer only when the run starts, on a later turn of the event loop, so two
// estimates in flight at once (two cases, or a stroke and a case switch) would otherwise read each
// other's masks — and give one case the other's volume.

export class VolumeEstimator {
  private readonly modes = new Map<RvaeMode, ModeState>();

  constructor(
    readonly manifest: Manifest,
    private readonly inference: Inference,
    private readonly providerInfo: InferenceInfo,
  ) {}

  /** 'dual' when a transverse mask is given and the dual model is installed. */
  modeFor(masks: MasksInput): RvaeMode {
    return masks.transverse && this.manifest.rvae.dual ? 'dual' : 'single';
  }

  private state(mode: RvaeMode): ModeState {
    let state = this.modes.get(mode);
    if (!state) {
      const spec = this.manifest.rvae[mode];
      if (!spec)
        throw new SpvError(
          'model',
          `The installed models have no ${mode}-view RVAE: reinstall the models`,
        );
      state = {
        spec,
        eps: standardNormalMatrix(spec.interval.seed, spec.interval.samples, spec.latent_dim),
      };
      this.modes.set(mode, state);
    }
    return state;
  }

  /** The RVAE input for the masks (a new buffer): channel 0 coronal, channel 1 transverse (dual). */
  gridFor(mode: RvaeMode, masks: MasksInput, boundsOf: BoundsOf = scanOnce()): Float32Array {
    const { spec } = this.state(mode);
    const { size, spacing_mm } = this.manifest.grid;
    const input = new Float32Array(spec.channels.length * size * size);
    const views: [string, ViewMask][] = [['coronal', masks.coronal]];
    if (mode === 'dual' && masks.transverse) views.push(['transverse', masks.transverse]);
    views.forEach(([name, view], channel) => {
      let grid: Float32Array;
      try {
        const { mask, width, height, spacing } = view;
        grid = maskToGrid(mask, width, height, spacing, size, spacing_mm, boundsOf(view)).grid;
      } catch (error) {
        // Say which view: the reader may have two masks open.
        if (error instanceof SpvError)
          throw new SpvError(error.code, `${name} view: ${error.message}`, { cause: error });
        throw error;
      }
      input.set(grid, channel * size * size);
    });
    return input;
  }

  async encode(
    mode: RvaeMode,
    masks: MasksInput,
    boundsOf: BoundsOf = scanOnce(),
  ): Promise<{ mu: Float32Array; logvar: Float32Array }> {
    const grid = this.gridFor(mode, masks, boundsOf);
    const { mu, logvar } = await this.inference.encode(mode, grid, 1);
    // Copy: an implementation may hand back views of buffers it reuses.
    return { mu: Float32Array.from(mu), logvar: Float32Array.from(logvar) };
  }

  async estimate(masks: MasksInput, options: EstimateOptions = {}): Promise<DetailedEstimate> {
    const started = performance.now();
    const mode = this.modeFor(masks);
    const state = this.state(mode);
    const { spec } = state;
    const k = spec.interval.samples;
    const d = spec.latent_dim;

    // Each mask scanned once for its box, count and centroid: by the grid and the outline check.
    const boundsOf = scanOnce();
    const { mu, logvar } = await this.encode(mode, masks, boundsOf);
    // Head input [(1 + K) × D]: row 0 is mu, rows 1..K the samples.
    const z = new Float32Array((k + 1) * d);
    z.set(mu, 0);
    sampleLatents(mu, logvar, state.eps, k, z.subarray(d));
    const y = await this.inference.head(mode, z, k + 1);
    const y0 = y[0];
    const volume = estimateVolume(y0, y.subarray(1, k + 1), spec.volume, spec.interval);

    // Transverse lengths feed the formulas even when only the single-view model is installed.
    const transverse = masks.transverse ?? null;
    const measured = lengthsFromMasks(masks.coronal, transverse);
    const lengths = mergeCaliperLengths(measured, options.caliperLengths);
    const formulas = computeFormulas(lengths, { lengthOnly: this.manifest.formulas.length_only });
    const mahalanobis = mahalanobisDistance(mu, spec.latent.mean, spec.latent.precision);
    const unlike = trainingDataDoubt(mahalanobis, spec.latent.distance_threshold);
    const doubts = [...inputDoubts(masks, measured), ...(unlike ? [unlike] : [])];
    const uncertainOutlines = (['coronal', 'transverse'] as const).flatMap((view) => {
      const warning = this.uncertainOutlineWarning(view, masks[view]);
      return warning === null ? [] : [{ view, warning }];
    });
    const warnings = [
      ...doubts.map((doubt) => doubt.warning),
      ...this.warnings(masks, boundsOf, uncertainOutlines),
    ];
    // Each check-first item with its warning, the same text as in `warnings`: the report marks a
    // checked warning by this link, not by its wording (src/reports/checked-warnings.ts).
    const checkFirstWarnings: InputDoubt[] = [
      ...doubts.map(({ phrase, warning }) => ({ phrase, warning })),
      ...uncertainOutlines.map(({ view, warning }) => ({
        phrase: uncertainOutlinePhrase(view),
        warning,
      })),
    ];

    return {
      volumeMl: volume.volumeMl,
      ci95Ml: volume.ci95Ml,
      model: mode,
      modelVersion: this.manifest.model_version,
      provider: this.providerInfo.provider,
      lengths,
      formulas,
      classification: classify(volume.volumeMl, lengths, options.patient, volume.ci95Ml),
      warnings,
      uncertainOutline: uncertainOutlines.map(({ view }) => view),
      inputDoubts: doubts.map((doubt) => doubt.phrase),
      checkFirstWarnings,
      elapsedMs: performance.now() - started,
      measuredLengths: measured,
      mahalanobis,
      distanceThreshold: spec.latent.distance_threshold,
      y0,
      mu,
    };
  }

  async explain(masks: MasksInput): Promise<Explanation> {
    const mode = this.modeFor(masks);
    const { spec } = this.state(mode);
    const { mu } = await this.encode(mode, masks);
    const logits = await this.inference.decode(mode, mu, 1);
    const g = this.manifest.grid.size;
    const reconstruction = spec.channels.map((view, channel) => {
      const values = new Array<number>(g * g);
      const offset = channel * g * g;
      for (let i = 0; i < g * g; i++) values[i] = 1 / (1 + Math.exp(-logits[offset + i]));
      return { view, size: g, values };
    });
    const mahalanobis = mahalanobisDistance(mu, spec.latent.mean, spec.latent.precision);
    return {
      model: mode,
      reconstruction,
      gridSpacingMm: this.manifest.grid.spacing_mm,
      pcaPosition: pcaPosition(mu, spec.latent.pca),
      trainingCloud: spec.latent.cloud,
      mahalanobis,
      distanceThreshold: spec.latent.distance_threshold,
      outOfDistribution: mahalanobis > spec.latent.distance_threshold,
    };
  }

  /** An unedited AI outline whose confidence is below the manifest's level (PIPELINE §3b). */
  private uncertain(view: ViewMask | null | undefined): boolean {
    const confidence = this.manifest.segmenter.confidence;
    return Boolean(
      confidence && view?.aiConfidence !== undefined && view.aiConfidence < confidence.flag_below,
    );
  }

  /** The warning about `view`'s unedited AI outline when the U-Net was unsure of it; else null. */
  private uncertainOutlineWarning(
    name: 'coronal' | 'transverse',
    view: ViewMask | null | undefined,
  ): string | null {
    const confidence = this.manifest.segmenter.confidence;
    if (!confidence || view?.aiConfidence === undefined || !this.uncertain(view)) return null;
    return (
      `The AI's ${name} outline is uncertain (confidence ${view.aiConfidence.toFixed(3)}, below ${confidence.flag_below.toFixed(3)}; ` +
      `images unlike the training data do this): check the outline against the image and correct it before relying on the volume.`
    );
  }

  /**
   * The warnings other than the input doubts, each view's together; `uncertainOutlines` are the
   * uncertain outlines' warnings (uncertainOutlineWarning), written once so that the estimate's
   * check-first link holds the same text.
   */
  private warnings(
    masks: MasksInput,
    boundsOf: BoundsOf,
    uncertainOutlines: readonly { view: 'coronal' | 'transverse'; warning: string }[],
  ): string[] {
    const warnings: string[] = [];
    const views: ['coronal' | 'transverse', ViewMask | null | undefined][] = [
      ['coronal', masks.coronal],
      ['transverse', masks.transverse],
    ];
    for (const [name, view] of views) {
      if (view) {
        const { mask, width, height } = view;
        const { pieces, holePixels } = outlineDefects(mask, width, height, boundsOf(view));
        const defects = [
          ...(pieces > 1 ? [`${pieces} separate pieces`] : []),
          ...(holePixels > 0 ? [`holes (${holePixels} px)`] : []),
        ];
        if (defects.length > 0)
          warnings.push(
            `The ${name} outline has ${defects.join(' and ')}: the model learnt from one solid outline per view, so the volume may move the wrong way (erasing a hole can raise it). Use Fill holes or Largest island unless the gaps are real.`,
          );
      }
      if (view && touchesBorder(view.mask, view.width, view.height)) {
        warnings.push(
          `The ${name} mask touches the image border: the spleen may be cut off and its volume underestimated.`,
        );
      }
      const uncertain = uncertainOutlines.find((outline) => outline.view === name);
      if (uncertain) warnings.push(uncertain.warning);
    }
    if (masks.transverse && !this.manifest.rvae.dual) {
      warnings.push(
        'No dual-view model is installed: the transverse view was used for the formulas only.',
      );
    }
    warnings.push(...providerWarnings(this.providerInfo));
    return warnings;
  }
}
