/**
 * Re-estimation that never blocks painting: requests are coalesced — at most one in flight, and
 * when it returns only the newest pending request is sent — and an answer that is already stale
 * (the mask changed meanwhile) is dropped instead of shown. Kept free of React so it can be
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
  private pending: { build: () => Req; at: number } | null = null;
  private inFlight = false;
  private generation = 0;
  private readonly listeners = new Set<(s: LiveState<T>) => void>();

  constructor(
    private readonly call: (req: Req) => Promise<T>,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = () => performance.now(),
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
    this.pending = { build, at: this.now() };
    this.set({ ...this.state, updating: true });
    if (!this.inFlight) void this.pump();
  }

  /** Forgets the value (a new case was opened) and ignores answers still on their way. */
  reset(): void {
    this.generation++;
    this.pending = null;
    this.set({ value: null, updating: false, requestedAt: null, receivedAt: null, failed: false });
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.pending) {
      const { build, at } = this.pending;
      this.pending = null;
      const generation = this.generation;
      try {
        const value = await this.call(build());
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
