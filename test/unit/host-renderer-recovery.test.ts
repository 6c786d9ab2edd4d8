/**
 * The main process's answer to the window's page process dying (main/renderer-recovery.ts): reload
 * after a crash or running out of memory, nothing on a clean exit, and give up (with what to do)
 * when a reload cannot help or the page keeps dying.
 */
import { describe, expect, it } from 'vitest';
import { RendererRecovery } from '../../main/renderer-recovery';

describe('renderer recovery', () => {
  it('does nothing when the page ends normally (the app is closing)', () => {
    expect(new RendererRecovery().onGone('clean-exit')).toEqual({ action: 'none' });
  });

  it('reloads after a crash or running out of memory, saying that the saved edits are kept', () => {
    const recovery = new RendererRecovery();
    const crash = recovery.onGone('crashed');
    expect(crash.action).toBe('reload');
    expect(crash).toMatchObject({ message: expect.stringMatching(/crashed and was reloaded/) });
    expect(recovery.onGone('oom')).toMatchObject({
      action: 'reload',
      message: expect.stringMatching(/ran out of memory .*every saved edit/),
    });
  });

  it('gives up when the page keeps dying within the window, and reloads again once it is quiet', () => {
    let t = 0;
    const recovery = new RendererRecovery(3, 60_000, () => t);
    for (let k = 0; k < 3; k++) {
      expect(recovery.onGone('crashed').action).toBe('reload');
      t += 10_000;
    }
    const fourth = recovery.onGone('crashed');
    expect(fourth).toMatchObject({
      action: 'give-up',
      message: expect.stringMatching(
        /crashed again \(4 times within 60 s\).*Restart SPV Workstation/,
      ),
    });
    // A minute after the first reloads: the loop is over, a new crash is reloaded.
    t += 60_000;
    expect(recovery.onGone('crashed').action).toBe('reload');
  });

  it('does not reload a page that cannot start or fails its integrity check', () => {
    for (const reason of ['launch-failed', 'integrity-failure'] as const)
      expect(new RendererRecovery().onGone(reason)).toMatchObject({
        action: 'give-up',
        message: expect.stringMatching(/Restart SPV Workstation/),
      });
  });
});
