/**
 * The command line's case loading (no models needed: decoding and checks come first) against the
 * input audit's defects: a --spacing that must not override a DICOM's own calibration, per-view
 * frames for a multi-frame view paired with a single-frame one, and the no-calibration message.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpvError } from '../../src/api/errors';
import { caseNotices, loadCaseFiles } from '../../src/cli/case-files';
import { HAVE_MODELS, SAMPLES_DIR, ensureBuilt, runSpv } from './cli-helpers';

const sample = (name: string) => join(SAMPLES_DIR, name);

async function refusal(promise: Promise<unknown>): Promise<SpvError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpvError);
  return error as SpvError;
}

describe('spv estimate: --spacing and a DICOM’s own calibration', () => {
  it('keeps the DICOM’s calibration and says the given spacing was not used', async () => {
    const own = await loadCaseFiles({ coronal: sample('sample-03_coronal.dcm'), kind: 'image' });
    const given = await loadCaseFiles({
      coronal: sample('sample-03_coronal.dcm'),
      spacing: { x: 0.3, y: 0.3 },
      kind: 'image',
    });
    expect(given.coronal.calibration).toEqual(own.coronal.calibration);
    expect(given.coronal.calibration.source).not.toBe('caller');
    expect(caseNotices(given)).toEqual([
      expect.stringMatching(
        /sample-03_coronal\.dcm: the given spacing 0\.3 × 0\.3 mm\/px was not used/,
      ),
    ]);
    expect(caseNotices(own)).toEqual([]);
  });

  it('still calibrates the PNG view of the case with it', async () => {
    const views = await loadCaseFiles({
      coronal: sample('sample-03_coronal.dcm'),
      transverse: sample('uncalibrated.png'),
      spacing: { x: 0.3, y: 0.3 },
      kind: 'image',
    });
    expect(views.transverse?.calibration).toMatchObject({ source: 'caller', spacingX: 0.3 });
  });
});

describe('spv estimate: a frame per view', () => {
  const multi = sample('sample-multiframe.dcm');
  const png = sample('sample-01_transverse.png');

  it('pairs a multi-frame coronal with a single-frame transverse (--coronal-frame or --frame)', async () => {
    const own = await loadCaseFiles({
      coronal: multi,
      transverse: png,
      coronalFrame: 1,
      kind: 'image',
    });
    expect(own.coronal.decoded.frames).toBeGreaterThan(1);
    expect(own.transverse?.decoded.frames).toBe(1);
    // --frame: the frame of every multi-frame view; the PNG has one frame and ignores it.
    const shared = await loadCaseFiles({
      coronal: multi,
      transverse: png,
      frame: 1,
      kind: 'image',
    });
    expect(Array.from(shared.coronal.decoded.grey.data)).toEqual(
      Array.from(own.coronal.decoded.grey.data),
    );
  });

  it('refuses a frame no view can take, and names the per-view option when one is missing', async () => {
    const onPng = await refusal(
      loadCaseFiles({
        coronal: multi,
        transverse: png,
        coronalFrame: 1,
        transverseFrame: 1,
        kind: 'image',
      }),
    );
    expect(onPng.message).toMatch(/sample-01_transverse\.png: frame 1 is out of range/);
    const nowhere = await refusal(
      loadCaseFiles({
        coronal: sample('sample-01_coronal.png'),
        transverse: png,
        frame: 2,
        kind: 'image',
      }),
    );
    expect(nowhere.message).toMatch(/frame 2 is out of range: no image of the case/);
    const missing = await refusal(
      loadCaseFiles({ coronal: png, transverse: multi, kind: 'image' }),
    );
    expect(missing.message).toMatch(
      /sample-multiframe\.dcm: the file has \d+ frames.*--transverse-frame N/,
    );
  });
});

describe('spv estimate: no calibration', () => {
  it('names a sidecar only for PNG/JPEG, never for a DICOM', async () => {
    const dicom = await refusal(
      loadCaseFiles({ coronal: sample('uncalibrated.dcm'), kind: 'image' }),
    );
    expect(dicom.code).toBe('not-calibrated');
    expect(dicom.message).not.toMatch(/sidecar|\.json/);
    expect(dicom.message).toMatch(/no ultrasound regions and no Pixel Spacing.*--spacing/);
    const png = await refusal(
      loadCaseFiles({ coronal: sample('uncalibrated.png'), kind: 'image' }),
    );
    expect(png.message).toMatch(/no sidecar uncalibrated\.json/);
  });
});

describe.skipIf(!HAVE_MODELS)('the built spv estimate', () => {
  const json = async (args: string[]) => {
    ensureBuilt();
    const run = await runSpv(['estimate', ...args, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { volume_ml: number; model: string; warnings: string[] };
  };

  it('--spacing leaves a DICOM’s volume as its own calibration gives it, with a warning', async () => {
    const coronal = sample('sample-03_coronal.dcm');
    const own = await json(['--coronal', coronal]);
    const given = await json(['--coronal', coronal, '--spacing', '0.3']);
    expect(given.volume_ml).toBe(own.volume_ml);
    expect(given.warnings[0]).toMatch(/given spacing 0\.3 × 0\.3 mm\/px was not used/);
  });

  it('--coronal-frame pairs a multi-frame coronal with a PNG transverse', async () => {
    const result = await json([
      '--coronal',
      sample('sample-multiframe.dcm'),
      '--transverse',
      sample('sample-01_transverse.png'),
      '--coronal-frame',
      '1',
    ]);
    expect(result.model).toBe('dual');
  });
});
