import { describe, expect, it } from 'vitest';
import { LiveRequest } from '../../renderer/live-estimate';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LiveRequest', () => {
  it('keeps one request in flight, sends only the newest pending one and drops stale answers', async () => {
    const sent: number[] = [];
    const answers: ReturnType<typeof deferred<string>>[] = [];
    const live = new LiveRequest<number, string>(
      (req) => {
        sent.push(req);
        const d = deferred<string>();
        answers.push(d);
        return d.promise;
      },
      () => {},
    );
    const shown: (string | null)[] = [];
    live.subscribe((s) => shown.push(s.value));
    live.schedule(() => 1);
    live.schedule(() => 2);
    live.schedule(() => 3);
    expect(sent).toEqual([1]);
    expect(live.current.updating).toBe(true);
    answers[0].resolve('v1');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([1, 3]);
    expect(live.current.value).toBeNull(); // v1 was stale: 3 was already waiting
    answers[1].resolve('v3');
    await new Promise((r) => setTimeout(r, 0));
    expect(live.current).toMatchObject({ value: 'v3', updating: false });
    expect(shown).not.toContain('v1');
  });

  it('reports an error of the newest request and ignores answers after reset', async () => {
    const errors: unknown[] = [];
    const d = deferred<string>();
    const live = new LiveRequest<number, string>(
      () => d.promise,
      (e) => errors.push(e),
    );
    live.schedule(() => 1);
    live.reset();
    d.resolve('old case');
    await new Promise((r) => setTimeout(r, 0));
    expect(live.current.value).toBeNull();
    const failing = new LiveRequest<number, string>(
      () => Promise.reject(new Error('no calibration')),
      (e) => errors.push(e),
    );
    failing.schedule(() => 1);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    expect(failing.current).toMatchObject({ updating: false, failed: true, value: null });
  });
});
