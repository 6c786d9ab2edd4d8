/**
 * What the main process does when the window's page process dies (a crash, out of memory on a huge
 * image, killed by the system): the page is reloaded, which opens the case it showed again from the
 * store (every finished edit is saved there; only a stroke in progress is lost), unless the page
 * keeps dying, when reloading again would only loop. Pure, so that the rule is tested without
 * Electron; electron-main.ts wires it to 'render-process-gone'.
 */

/** Electron's RenderProcessGoneDetails.reason. */
export type RenderGoneReason =
  | 'clean-exit'
  | 'abnormal-exit'
  | 'killed'
  | 'crashed'
  | 'oom'
  | 'launch-failed'
  | 'integrity-failure'
  | 'memory-eviction';

export type RecoveryAction =
  /** The page ended normally (the app is closing): nothing to do. */
  | { action: 'none' }
  | { action: 'reload'; message: string }
  | { action: 'give-up'; message: string };

const REASON_WORDS: Record<RenderGoneReason, string> = {
  'clean-exit': 'ended',
  'abnormal-exit': 'ended abnormally',
  killed: 'was stopped by the system',
  crashed: 'crashed',
  oom: 'ran out of memory',
  'launch-failed': 'could not start',
  'integrity-failure': 'failed its code integrity check',
  'memory-eviction': 'was stopped to free memory',
};

export class RendererRecovery {
  private reloads: number[] = [];

  /**
   * @param maxReloads reloads allowed within `windowMs` before giving up
   * @param now clock (ms), for tests
   */
  constructor(
    private readonly maxReloads = 3,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** What to do now that the page process is gone for `reason`. */
  onGone(reason: RenderGoneReason): RecoveryAction {
    if (reason === 'clean-exit') return { action: 'none' };
    const what = `The display ${REASON_WORDS[reason]}`;
    // A page that cannot start, or whose code fails its check, will not do better on a reload.
    if (reason === 'launch-failed' || reason === 'integrity-failure')
      return {
        action: 'give-up',
        message: `${what}. Restart SPV Workstation; if it happens again, reinstall it. Every saved edit is kept.`,
      };
    const t = this.now();
    this.reloads = this.reloads.filter((at) => t - at < this.windowMs);
    if (this.reloads.length >= this.maxReloads)
      return {
        action: 'give-up',
        message: `${what} again (${this.reloads.length + 1} times within ${Math.round(this.windowMs / 1000)} s), so it is not reloaded once more. Restart SPV Workstation; every saved edit is kept. If a particular image causes it, open that case on another machine or export a smaller image.`,
      };
    this.reloads.push(t);
    return {
      action: 'reload',
      message: `${what} and was reloaded: the case it showed is opened again with every saved edit; a stroke in progress may be lost.`,
    };
  }
}
