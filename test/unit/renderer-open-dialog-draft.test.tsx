// @vitest-environment happy-dom
/**
 * A failed opening brings the Open dialog back with what the reader typed: the error asks for a
 * frame of the multi-frame DICOM "when opening the case", and the paths must not be typed again.
 * The app over the real store service and engine.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../renderer/App';
import type { StoreService } from '../../src/store-service/service';
import {
  HAVE_MODELS_AND_SAMPLES,
  startStoreHarness,
  type StoreHarness,
} from '../integration/store-engine-harness';

afterEach(cleanup);

const MULTIFRAME = join(__dirname, '..', '..', 'models', 'samples', 'sample-multiframe.dcm');
const field = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;

describe.skipIf(!HAVE_MODELS_AND_SAMPLES)('the Open dialog after a failed opening', () => {
  let harness: StoreHarness;
  let service: StoreService;
  beforeAll(async () => {
    harness = await startStoreHarness('spv-open-draft-');
    service = harness.openService();
  });
  afterAll(() => harness?.close());

  it('comes back with the path typed, for the frame to be added', async () => {
    render(<App api={service} initialSample={null} shell={null} />);
    await waitFor(() => expect(screen.getByTestId('no-case')).toBeTruthy());
    fireEvent.click(screen.getByTestId('open-case'));
    fireEvent.change(field('open-coronal'), { target: { value: MULTIFRAME } });
    fireEvent.click(screen.getByTestId('open-files'));
    // Refused (3 frames, none chosen): said in the errors panel, the dialog back with the path.
    await waitFor(
      () => expect(screen.getByTestId('errors-panel').textContent).toMatch(/3 frames/),
      {
        timeout: 30_000,
      },
    );
    await waitFor(() => expect(screen.getByTestId('open-dialog')).toBeTruthy());
    expect(field('open-coronal').value).toBe(MULTIFRAME);
    expect(field('open-coronal-frame').value).toBe('');
    // The frame added, the request is whole (the opening itself draws on a canvas, which this DOM
    // has not: test/e2e opens cases).
    fireEvent.change(field('open-coronal-frame'), { target: { value: '1' } });
    expect((screen.getByTestId('open-files') as HTMLButtonElement).disabled).toBe(false);
  }, 60_000);
});
