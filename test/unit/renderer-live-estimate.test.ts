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

  it('still sends a request waiting when the case changes (it saves an edit), at once, ignoring its answer', async () => {
    const sent: string[] = [];
    const answers = new Map<string, ReturnType<typeof deferred<string>>>();
    const live = new LiveRequest<string, string>(
      (req) => {
        sent.push(req);
        const d = deferred<string>();
        answers.set(req, d);
        return d.promise;
      },
      () => {},
    );
    let mask = 'A: stroke 1';
    live.schedule(() => mask);
    mask = 'A: stroke 2';
    expect(live.schedule(() => mask)).toBe(false); // waits behind stroke 1
    live.reset(); // the reader opens case B now
    mask = 'B: opened';
    live.schedule(() => mask);
    // Stroke 2 keeps A's mask and leaves now, after stroke 1 (the store saves them in the order
    // they leave): held back until stroke 1's answer, it would be lost with a window closed
    // meanwhile, and could land after a later edit of A. B's request waits for the one in flight.
    expect(sent).toEqual(['A: stroke 1', 'A: stroke 2']);
    answers.get('A: stroke 1')!.resolve('A1');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['A: stroke 1', 'A: stroke 2', 'B: opened']);
    answers.get('A: stroke 2')!.resolve('A2');
    await new Promise((r) => setTimeout(r, 0));
    expect(live.current.value).toBeNull(); // neither of A's answers is shown on B
    answers.get('B: opened')!.resolve('B');
    await live.settled();
    expect(live.current.value).toBe('B');
  });

  it('keeps the order of edits when the reader goes back to a case while its requests are out', async () => {
    const sent: string[] = [];
    const answers = new Map<string, ReturnType<typeof deferred<string>>>();
    const live = new LiveRequest<string, string>(
      (req) => {
        sent.push(req);
        const d = deferred<string>();
        answers.set(req, d);
        return d.promise;
      },
      () => {},
    );
    live.schedule(() => 'A0'); // in flight
    live.schedule(() => 'A1'); // waiting
    live.reset(); // to case B …
    live.reset(); // … and straight back to A
    live.schedule(() => 'A3');
    for (const name of ['A0', 'A1', 'A3']) {
      await new Promise((r) => setTimeout(r, 0));
      answers.get(name)!.resolve(name);
    }
    await live.settled();
    expect(sent).toEqual(['A0', 'A1', 'A3']);
  });

  it('drops a waiting request that only fetches (an explanation) when the case changes', async () => {
    const sent: string[] = [];
    const live = new LiveRequest<string, string>(
      (req) => {
        sent.push(req);
        return new Promise<string>(() => {});
      },
      () => {},
      undefined,
      false,
    );
    live.schedule(() => 'A: explain 1');
    live.schedule(() => 'A: explain 2');
    live.reset();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['A: explain 1']);
  });

  it('settles once every request scheduled so far is answered', async () => {
    const answers: ReturnType<typeof deferred<string>>[] = [];
    const live = new LiveRequest<number, string>(
      () => {
        const d = deferred<string>();
        answers.push(d);
        return d.promise;
      },
      () => {},
    );
    let settled = false;
    live.schedule(() => 1);
    live.schedule(() => 2);
    const done = live.settled().then(() => (settled = true));
    answers[0].resolve('v1');
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false); // 2 is on its way now
    answers[1].reject(new Error('empty mask'));
    await done;
    expect(live.current).toMatchObject({ updating: false, failed: true });
  });
});
