/**
 * Re-estimation that never blocks painting: requests are coalesced — at most one in flight, and
 * when it returns only the newest pending request is sent — and an answer that is already stale
 * (the mask changed meanwhile) is dropped instead of shown. A request that saves what it carries
 * (a stored case's estimate saves the edit) is never dropped unsent: one still waiting when the
 * reader opens another case is sent all the same, at once (its answer ignored). Saves that must
 * not wait at all go through SendNow. Requests leave in the order they were made. Electron hands
 * them to the store in that order (one IPC channel); over the web host each is its own HTTP
 * request and two can overtake each other, so the requests a store saves carry their place in
 * that order (renderer/save-order.ts) and the store saves none over a newer one. Kept free of
 * React so it can be reasoned about (and tested) on its own; the App subscribes to its state.
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
  /** The running send loop, and requests of a case left behind. */
  private pumping: Promise<void> = Promise.resolve();
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

  /**
   * Asks for a fresh value; `build` runs when the request is actually sent (latest mask). Returns
   * whether it was sent at once: false when it waits for the request in flight.
   */
  schedule(build: () => Req): boolean {
    this.pending = { build, at: this.now(), generation: this.generation };
    this.set({ ...this.state, updating: true });
    if (this.inFlight) return false;
    // pump() builds and sends the request before its first await.
    this.pumping = this.pump();
    return true;
  }

  /**
   * Forgets the value (a new case was opened) and ignores answers still on their way. A request
   * still waiting is built now, while its case's masks are still there, and sent all the same, at
   * once: after the request in flight (sent before it), before anything of the next case, and
   * before any later edit of the same case should the reader go back to it. Held back until the
   * answer in flight, it could land after such an edit and save older masks over it.
   */
  reset(): void {
    const waiting = this.pending;
    this.generation++;
    this.pending = null;
    if (waiting && this.sendWaitingOnReset) {
      const sent = this.send(waiting.build()).catch(() => {
        // The reader has left that case: its answer, or its error, is no longer shown.
      });
      this.leftBehind.add(sent);
      void sent.finally(() => this.leftBehind.delete(sent));
    }
    this.set({ value: null, updating: false, requestedAt: null, receivedAt: null, failed: false });
  }

  /** Calls the API now; a call that throws at once fails like one whose answer is an error. */
  private send(req: Req): Promise<T> {
    try {
      return this.call(req);
    } catch (err) {
      return Promise.reject(err);
    }
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
      const { build, at, generation } = this.pending;
      this.pending = null;
      try {
        const value = await this.send(build());
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

/**
 * Requests that store what they carry (a stored case's finished edit), each sent the moment it is
 * asked for: never coalesced and never held behind another request's answer, so that an edit is
 * on its way to the store even while an estimate runs, and a window closed meanwhile loses
 * nothing the reader finished. They leave in the order they are asked for, which is the order the
 * store keeps them in (see the header). A failure is always reported: an edit was not saved.
 */
export class SendNow<Req> {
  private readonly out = new Set<Promise<void>>();

  constructor(
    private readonly call: (req: Req) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  send(req: Req): void {
    let call: Promise<unknown>;
    try {
      call = this.call(req);
    } catch (err) {
      call = Promise.reject(err);
    }
    const done = call.then(
      () => undefined,
      (err: unknown) => this.onError(err),
    );
    this.out.add(done);
    void done.finally(() => this.out.delete(done));
  }

  /** Resolves once every request sent so far has been answered (or has failed). */
  async settled(): Promise<void> {
    while (this.out.size > 0) await Promise.allSettled([...this.out]);
  }
}
