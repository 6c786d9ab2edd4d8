import { describe, expect, it } from 'vitest';
import { trackCalls } from '../../main/services';

/** A service with private state whose calls finish, oldest first, when the test says so. */
class SlowStore {
  #saved: string[] = [];
  #waiting: (() => void)[] = [];

  async estimate(caseId: string): Promise<string> {
    await new Promise<void>((r) => this.#waiting.push(r));
    this.#saved.push(caseId);
    return `saved ${caseId}`;
  }

  finishEstimate(): void {
    this.#waiting.shift()?.();
  }

  get saved(): readonly string[] {
    return this.#saved;
  }
}

describe('trackCalls (closing the services)', () => {
  it('waits for the calls in progress, and those started meanwhile', async () => {
    const first = new SlowStore();
    const calls = trackCalls(first);
    // Called with another `this`, as the dispatcher does: the service's private state still works.
    const estimate = calls.service.estimate.call({} as SlowStore, 'c1');
    expect(calls.inFlight).toBe(1);
    let drained: boolean | null = null;
    const draining = calls.drain(60_000).then((d) => (drained = d));
    const second = calls.service.estimate('c2');
    first.finishEstimate();
    expect(await estimate).toBe('saved c1');
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(null); // c2 is still running
    first.finishEstimate();
    expect(await second).toBe('saved c2');
    expect(await draining).toBe(true);
    expect(first.saved).toEqual(['c1', 'c2']);
    expect(calls.inFlight).toBe(0);
  });

  it('gives up waiting after the grace period and says so', async () => {
    const calls = trackCalls(new SlowStore());
    void calls.service.estimate('stuck');
    expect(await calls.drain(20)).toBe(false);
    expect(calls.inFlight).toBe(1);
  });
});
