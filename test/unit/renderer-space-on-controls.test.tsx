// @vitest-environment happy-dom
/**
 * Space held pans the viewer, but on a control Space operates (a checkbox, a button) it is left to
 * the control: a keyboard-only reader must be able to tick the sign-off checks and press buttons.
 */
import { cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  useKeyboardShortcuts,
  type ShortcutHandlers,
} from '../../renderer/hooks/use-keyboard-shortcuts';

// Each test's window listeners go with it: an earlier one would take the keys first.
afterEach(() => {
  cleanup();
  document.body.replaceChildren();
});

function listen() {
  const panning = vi.fn();
  const noop = () => undefined;
  const handlers = new Proxy({} as ShortcutHandlers, {
    get: (_, name) => (name === 'panning' ? panning : noop),
  });
  renderHook(() => useKeyboardShortcuts(handlers));
  return panning;
}

const spaceOn = (target: EventTarget) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true }));

describe('Space', () => {
  it('pans when pressed over the page or a viewer', () => {
    const panning = listen();
    const pane = document.createElement('div');
    document.body.append(pane);
    expect(spaceOn(pane)).toBe(false); // default prevented: the page does not scroll
    expect(panning).toHaveBeenCalledWith(true);
  });

  it('is left to a checkbox, a button or a control inside a button', () => {
    const panning = listen();
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    const button = document.createElement('button');
    const icon = document.createElement('span');
    button.append(icon);
    document.body.append(checkbox, button);
    for (const target of [checkbox, button, icon]) expect(spaceOn(target)).toBe(true);
    expect(panning).not.toHaveBeenCalled();
  });

  it('leaves a key that a control already took (the worklist’s k) to that control alone', () => {
    const tool = vi.fn();
    const noop = () => undefined;
    const handlers = new Proxy({} as ShortcutHandlers, {
      get: (_, name) => (name === 'tool' ? tool : noop),
    });
    renderHook(() => useKeyboardShortcuts(handlers));
    const worklist = document.createElement('div');
    worklist.tabIndex = 0;
    worklist.addEventListener('keydown', (e) => e.preventDefault());
    document.body.append(worklist);
    worklist.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'k', bubbles: true, cancelable: true }),
    );
    expect(tool).not.toHaveBeenCalled();
    // Pressed over the page, k still arms its tool.
    document.body.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'k', bubbles: true, cancelable: true }),
    );
    expect(tool).toHaveBeenCalledTimes(1);
  });
});
