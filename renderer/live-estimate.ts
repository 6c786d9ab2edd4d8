/**
 * Re-estimation that never blocks painting: requests are coalesced — at most one in flight, and
 * when it returns only the newest pending request is sent — and an answer that is already stale
 * (the mask changed meanwhile) is dropped instead of shown. A request that saves what it carries
 * (a stored case's estimate saves the edit) is never dropped unsent: one still waiting when the
 * reader opens another case is sent all the same, after the request still in flight, so that the
 * edits reach the store in the order they were made (its answer ignored). Kept free of React so it can be
 * reasoned about (and tested) on its own; the App subscribes to its state.
 */
export interface LiveState<T> {
  value: T | null;
  updating: boolean;
  /** performance.now() of the request that produced `value` was scheduled (stroke end). */
  requestedAt: number | null;
  receivedAt: number | null;
  /** The newest request failed: `value` is null so that no stale number stays on screen. */
  failed: boolean;
}

export class LiveRequest<Req, T> {
  private state: LiveState<T> = {
    value: null,
    updating: false,
    requestedAt: null,
    receivedAt: null,
    failed: false,
  };
  private pending: { build: () => Req; at: number; generation: number } | null = null;
  private inFlight = false;
  private generation = 0;
  /** The running send loop, its request in flight, and requests of a case left behind. */
  private pumping: Promise<void> = Promise.resolve();
  private sending: Promise<unknown> = Promise.resolve();
  private readonly leftBehind = new Set<Promise<unknown>>();
  private readonly listeners = new Set<(s: LiveState<T>) => void>();

  constructor(
    private readonly call: (req: Req) => Promise<T>,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = () => performance.now(),
    /** False for requests that only fetch (an explanation): a case left behind needs no answer. */
    private readonly sendWaitingOnReset = true,
  ) {}

  subscribe(listener: (s: LiveState<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get current(): LiveState<T> {
    return this.state;
  }

  /** Asks for a fresh value; `build` runs when the request is actually sent (latest mask). */
  schedule(build: () => Req): void {
    this.pending = { build, at: this.now(), generation: this.generation };
    this.set({ ...this.state, updating: true });
    if (!this.inFlight) this.pumping = this.pump();
  }

  /**
   * Forgets the value (a new case was opened) and ignores answers still on their way. A request
   * still waiting is built now, while its case's masks are still there, and sent all the same.
   */
  reset(): void {
    const waiting = this.pending;
    this.generation++;
    this.pending = null;
    if (waiting && this.sendWaitingOnReset) {
      // Built now, while that case's masks are still there; sent once the request in flight (of
      // the same case) is answered, so that the store saves the two in the order they were made.
      const req = waiting.build();
      const sent = this.sending
        .catch(() => undefined)
        .then(() => this.call(req))
        .catch(() => {
          // The reader has left that case: its answer, or its error, is no longer shown.
        });
      this.leftBehind.add(sent);
      void sent.finally(() => this.leftBehind.delete(sent));
      // A later left-behind request goes after this one.
      this.sending = sent;
    }
    this.set({ value: null, updating: false, requestedAt: null, receivedAt: null, failed: false });
  }

  /** Resolves once every request scheduled so far has been answered (or has failed). */
  async settled(): Promise<void> {
    while (this.inFlight || this.pending || this.leftBehind.size > 0) {
      await Promise.allSettled([this.pumping, ...this.leftBehind]);
    }
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.pending) {
      // Requests of a case left behind were made before this one: they go first (the reader may
      // be back on that case, whose store saves edits in the order they arrive).
      if (this.leftBehind.size > 0) {
        await Promise.allSettled([...this.leftBehind]);
        continue;
      }
      const { build, at, generation } = this.pending;
      this.pending = null;
      try {
        const call = this.call(build());
        this.sending = call;
        const value = await call;
        // Newer edits are waiting: this answer is stale, go straight on to the newest request.
        if (generation === this.generation && !this.pending) {
          this.set({
            value,
            updating: false,
            requestedAt: at,
            receivedAt: this.now(),
            failed: false,
          });
        }
      } catch (err) {
        if (generation === this.generation && !this.pending) {
          this.set({
            value: null,
            updating: false,
            requestedAt: at,
            receivedAt: null,
            failed: true,
          });
          this.onError(err);
        }
      }
    }
    this.inFlight = false;
  }

  private set(next: LiveState<T>): void {
    this.state = next;
    for (const l of this.listeners) l(next);
  }
}
