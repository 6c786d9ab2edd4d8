// @vitest-environment happy-dom
/**
 * Viewer audit: a multi-frame DICOM opened without a frame was reported as "Open /…/sample-
 * multiframe.dcm /…/sample-multiframe.dcm: the file has 3 frames…": the errors panel's source and
 * the service's message both named the file. The loader now names it once.
 */
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { SpvApi } from '../../src/api';
import { ApiCallError } from '../../renderer/api-client';
import { useCaseLoader } from '../../renderer/hooks/use-case-loader';
import type { MaskSet } from '../../renderer/viewer/types';

const PATH = '/cases/sample-multiframe.dcm';
// The web host's answer, word for word (src/imaging, through the engine).
const MULTI_FRAME = `${PATH}: the file has 3 frames. Choose one (0 to 2) as the coronal image's frame when opening the case.`;

function failingOpen(message: string) {
  const pushError = vi.fn<(source: string, err: unknown) => void>();
  const api = {
    openCase: async () => {
      throw new ApiCallError('openCase', { code: 'bad-input', message });
    },
  } as unknown as SpvApi; // the loader calls only openCase before the failure
  const masksRef: { current: MaskSet } = { current: {} };
  const { result } = renderHook(() =>
    useCaseLoader({
      api,
      masksRef,
      showCase: () => undefined,
      masksLoaded: () => undefined,
      closeOpenDialog: () => undefined,
      setMessage: () => undefined,
      pushError,
    }),
  );
  return { result, pushError };
}

describe('viewer audit: a failed opening names its file once', () => {
  it('uses "Open" alone when the message begins with the path', async () => {
    const { result, pushError } = failingOpen(MULTI_FRAME);
    await act(() =>
      result.current.openFiles({
        coronalPath: PATH,
        transversePath: null,
        spacing: null,
        coronalFrame: null,
        transverseFrame: null,
      }),
    );
    expect(pushError).toHaveBeenCalledTimes(1);
    const [source, err] = pushError.mock.calls[0];
    expect(source).toBe('Open');
    expect(`${source} ${(err as Error).message}`.split(PATH).length - 1).toBe(1);
  });

  it('keeps the file in the source when the message does not name it', async () => {
    const { result, pushError } = failingOpen('The service is not answering.');
    await act(() => result.current.openSample('sample-03'));
    expect(pushError.mock.calls[0][0]).toBe('Open sample-03');
  });
});
