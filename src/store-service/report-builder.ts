/**
 * Builds a case report from what the engine shows (the CaseView's decoded images), the masks and
 * the estimate: shared by stored cases (service) and the bundled sample (`spv report --sample`).
 */
import sharp from 'sharp';
import type {
  Calibration,
  CaliperLine,
  CaseApi,
  CaseView,
  Estimate,
  Explanation,
  MaskRle,
  ViewImage,
} from '../api/contract';
import { spacingForMask, spacingOf } from '../imaging/calibration';
import { decodeMaskRle } from '../imaging/mask-codec';
import type { Spacing } from '../imaging/types';
import { renderCaseReportPdf, type CaseReportData, type ReportView } from '../reports/case-report';
import { blankAroundSpleen, deidentifiedFigureNote } from '../reports/deidentify-figure';
import { latentFigurePng, viewFigurePng } from '../reports/figures';
import type { MaskReview } from '../reports/review-state';

export interface ReportInputs {
  view: CaseView;
  masks: { coronal: MaskRle; transverse: MaskRle | null };
  estimate: Estimate;
  explanation: Explanation | null;
  patient: CaseReportData['patient'];
  study: CaseReportData['study'];
  maskSource: MaskReview;
  reader: string | null;
  signedOffAt: string | null;
  /** What the sign-off confirmed having checked (CaseReportData.checkedAtSignOff). */
  checkedAtSignOff?: CaseReportData['checkedAtSignOff'];
  status: string;
  /** The case's images are under each other's view names since import (swapped in the app). */
  viewsSwapped?: boolean;
  /** The patient inputs the verdicts were decided for (CaseReportData.limitsFor). */
  limitsFor?: CaseReportData['limitsFor'];
  modelHash: string | null;
  /**
   * The reader's calipers (both views) behind the estimate's caliper lengths; the figures draw
   * them instead of the mask's Feret line.
   */
  calipers?: CaliperLine[];
  /**
   * An anonymised report: each figure keeps only the spleen's surroundings (burned-in names and
   * dates lie elsewhere in an ultrasound image), and the report says so; it has no dates (when it
   * was made or signed off), and `study.caseId` is the case's pseudonymous reference.
   */
  anonymise?: boolean;
}

async function greyOf(image: ViewImage): Promise<Uint8Array> {
  const png = Buffer.from(image.pngDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * The scale the volume used for the outline: that of the ultrasound region holding it when the
 * image has several (src/imaging/calibration.ts), else the image's main scale. Null when it has no
 * single scale (saved, never estimated): a report never fails over it.
 */
function outlineSpacing(
  calibration: Calibration,
  mask: Uint8Array,
  image: { width: number; height: number },
): Spacing | null {
  try {
    return spacingForMask(mask, image.width, image.height, calibration);
  } catch {
    return null;
  }
}

async function reportView(
  label: string,
  image: ViewImage,
  mask: MaskRle | null,
  calipers: CaliperLine[],
  anonymise: boolean,
): Promise<ReportView & { blankedShare: number | null }> {
  // A mask saved for another size of this image (one imported before its EXIF rotation was
  // applied) would be drawn scrambled, its pixel rows wrapped: not drawn, and the caption says why.
  const fits = mask !== null && mask.width === image.width && mask.height === image.height;
  const pixels = fits ? decodeMaskRle(mask) : null;
  if (mask && !fits)
    label += ` — outline not drawn: saved at ${mask.width}×${mask.height} px, it no longer fits this ${image.width}×${image.height}-px image`;
  const viewCalipers = calipers.filter((c) => c.view === image.view);
  const grey = await greyOf(image);
  const blanked = anonymise
    ? blankAroundSpleen(grey, {
        width: image.width,
        height: image.height,
        mask: pixels,
        points: viewCalipers.flatMap((c) => [c.a, c.b]),
        regions: image.calibration?.regions,
      })
    : null;
  const maskSpacing =
    image.calibration && pixels ? outlineSpacing(image.calibration, pixels, image) : null;
  const spacing = maskSpacing ?? (image.calibration ? spacingOf(image.calibration) : null);
  const figurePng = await viewFigurePng({
    label,
    grey: blanked?.grey ?? grey,
    width: image.width,
    height: image.height,
    mask: pixels,
    calibration: image.calibration,
    maskSpacing,
    calipers: viewCalipers,
  });
  return {
    label,
    figurePng,
    width: image.width,
    height: image.height,
    spacingText: spacing
      ? `${spacing.x.toFixed(3)} × ${spacing.y.toFixed(3)} mm/px${calibrationOrigin(image.calibration)}`
      : 'uncalibrated',
    blankedShare: blanked?.blankedShare ?? null,
  };
}

/**
 * Where the scale came from, for the reader of the report: a scale drawn by hand on the depth
 * ruler is a measurement of its own and must be checkable.
 */
function calibrationOrigin(calibration: Calibration | null): string {
  if (!calibration) return '';
  const how: Record<Calibration['source'], string> = {
    'ultrasound-regions': 'from the DICOM ultrasound regions',
    'pixel-spacing': 'from the DICOM Pixel Spacing',
    sidecar: 'from the calibration file',
    user: 'drawn by the reader',
    caller: 'typed at opening',
  };
  const detail =
    calibration.source === 'user' && calibration.detail ? `: ${calibration.detail}` : '';
  return ` (${how[calibration.source]}${detail})`;
}

function explanationText(e: Explanation): string {
  const where = e.outOfDistribution
    ? `Far from the training cases (Mahalanobis distance ${e.mahalanobis.toFixed(1)} above the threshold ${e.distanceThreshold.toFixed(1)}): treat the estimate with caution.`
    : `Within the training distribution (Mahalanobis distance ${e.mahalanobis.toFixed(1)}, threshold ${e.distanceThreshold.toFixed(1)}).`;
  return `The model encodes the mask on a ${e.gridSpacingMm} mm grid into a latent code; the first principal component follows volume. ${where}`;
}

export async function buildCaseReportPdf(inputs: ReportInputs): Promise<Buffer> {
  const calipers = inputs.calipers ?? [];
  const anonymise = inputs.anonymise ?? false;
  const views = [
    await reportView('Coronal', inputs.view.coronal, inputs.masks.coronal, calipers, anonymise),
  ];
  if (inputs.view.transverse)
    views.push(
      await reportView(
        'Transverse',
        inputs.view.transverse,
        inputs.masks.transverse,
        calipers,
        anonymise,
      ),
    );
  const e = inputs.explanation;
  return renderCaseReportPdf({
    patient: inputs.patient,
    ...(inputs.limitsFor !== undefined ? { limitsFor: inputs.limitsFor } : {}),
    study: inputs.study,
    views,
    viewsNote: anonymise
      ? deidentifiedFigureNote(
          views.map((v) => ({ label: v.label, blankedShare: v.blankedShare ?? 0 })),
        )
      : null,
    estimate: inputs.estimate,
    modelHash: inputs.modelHash,
    maskSource: inputs.maskSource,
    reader: inputs.reader,
    signedOffAt: inputs.signedOffAt,
    checkedAtSignOff: inputs.checkedAtSignOff ?? null,
    status: inputs.status,
    viewsSwapped: inputs.viewsSwapped ?? false,
    referenceVolumeMl: inputs.view.referenceVolumeMl,
    explanationPng: e
      ? await latentFigurePng({
          cloud: e.trainingCloud,
          position: e.pcaPosition,
          volumeMl: inputs.estimate.volumeMl,
        })
      : null,
    explanationText: e ? explanationText(e) : null,
    generatedAt: new Date(),
    anonymised: anonymise,
  });
}

/** The bundled sample, estimated on the spot with the AI masks: no database involved. */
export async function buildSampleReportPdf(
  engine: CaseApi,
  sampleId: string | null,
  modelHash: string | null,
): Promise<Buffer> {
  const view = await engine.openSample({ sampleId });
  const coronal = await engine.segment({ caseId: view.caseId, view: 'coronal' });
  const transverse = view.transverse
    ? await engine.segment({ caseId: view.caseId, view: 'transverse' })
    : null;
  const masks = { coronal, transverse };
  const estimate = await engine.estimate({ caseId: view.caseId, masks });
  const explanation = await engine.explain({ caseId: view.caseId, masks }).catch(() => null);
  return buildCaseReportPdf({
    view,
    masks,
    estimate,
    explanation,
    patient: {
      id: view.title.replace(/^Sample /, ''),
      name: 'Synthetic sample (no patient)',
    },
    // Not stored, so no case id: the report's header says it is a bundled sample.
    study: { caseId: null, title: view.title, studyInstanceUid: null, studyDate: null },
    // Estimated with no patient inputs: the adult limits.
    limitsFor: null,
    maskSource: 'ai-not-reviewed',
    reader: null,
    signedOffAt: null,
    status: 'sample (AI masks, not reviewed)',
    modelHash,
  });
}
