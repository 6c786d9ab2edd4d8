// @vitest-environment happy-dom
/**
 * Calibrating without a mouse: the line's ends move by whole image pixels and never leave the
 * image; the calibration dialog draws and adjusts the line with keys alone; the Open and
 * calibration dialogs keep the focus (Tab goes round), keep their keys from the window's
 * shortcuts, and give the focus back when they close.
 */
import { act, cleanup, fireEvent, render, renderHook, screen } from '@testing-library/react';
import { useState, type JSX } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CalibrationDialog } from '../../renderer/components/CalibrationDialog';
import { OpenCaseDialog } from '../../renderer/components/OpenCaseDialog';
import { cycledIndex } from '../../renderer/hooks/use-modal-dialog';
import {
  useKeyboardShortcuts,
  type ShortcutHandlers,
} from '../../renderer/hooks/use-keyboard-shortcuts';
import {
  arrowStep,
  clampToImage,
  describeKeyboardLine,
  initialKeyboardLine,
  moveLineEnd,
  type Segment,
} from '../../renderer/viewer/keyboard-calibration';

afterEach(() => {
  cleanup();
  document.body.replaceChildren();
});

const IMAGE = { width: 600, height: 400 };

describe('the keyboard line', () => {
  it('starts vertical in the image’s left third, over its middle half', () => {
    expect(initialKeyboardLine(IMAGE)).toEqual([
      [100, 100],
      [100, 300],
    ]);
    // A tiny image still gets a line inside it.
    for (const p of initialKeyboardLine({ width: 1, height: 1 })) expect(p).toEqual([0, 0]);
  });

  it('moves the selected end only, by 1 pixel or by 10 with Shift', () => {
    const line: Segment = [
      [100, 100],
      [100, 300],
    ];
    expect(moveLineEnd(line, 1, arrowStep('ArrowDown', false)!, IMAGE)).toEqual([
      [100, 100],
      [100, 301],
    ]);
    expect(moveLineEnd(line, 0, arrowStep('ArrowLeft', true)!, IMAGE)).toEqual([
      [90, 100],
      [100, 300],
    ]);
    expect(arrowStep('ArrowUp', false)).toEqual([0, -1]);
    expect(arrowStep('ArrowRight', true)).toEqual([10, 0]);
    expect(arrowStep('a', false)).toBeNull();
  });

  it('keeps the ends inside the image', () => {
    const line: Segment = [
      [3, 5],
      [595, 398],
    ];
    expect(moveLineEnd(line, 0, [-10, -10], IMAGE)[0]).toEqual([0, 0]);
    expect(moveLineEnd(line, 1, [10, 10], IMAGE)[1]).toEqual([599, 399]);
    expect(clampToImage([-1, 1000], IMAGE)).toEqual([0, 399]);
  });

  it('is described with its length, its ends and the end the arrows move', () => {
    const text = describeKeyboardLine(
      [
        [100, 100],
        [100, 300],
      ],
      0,
    );
    expect(text).toBe(
      'Line 200.0 px from (100, 100) to (100, 300); the arrow keys move end 1 (100, 100).',
    );
  });
});

describe('focus cycling', () => {
  it('goes round at either end, and starts at the first (last) from outside', () => {
    expect(cycledIndex(0, 3, false)).toBe(1);
    expect(cycledIndex(2, 3, false)).toBe(0);
    expect(cycledIndex(0, 3, true)).toBe(2);
    expect(cycledIndex(-1, 3, false)).toBe(0);
    expect(cycledIndex(-1, 3, true)).toBe(2);
    expect(cycledIndex(-1, 0, false)).toBe(-1);
  });
});

/** The window's real shortcuts, recording each action that reached them. */
function windowShortcuts(): string[] {
  const reached: string[] = [];
  const handlers = new Proxy({} as ShortcutHandlers, {
    get: (_, name) => (arg?: unknown) => reached.push(`${String(name)}:${String(arg)}`),
  });
  renderHook(() => useKeyboardShortcuts(handlers));
  return reached;
}

/** The dialog as the app holds it: the line is state outside it, placed through onLine. */
function Calibrating({ onApply }: { onApply(mm: number): void }): JSX.Element {
  const [line, setLine] = useState<Segment | null>(null);
  return (
    <CalibrationDialog
      view="coronal"
      line={line}
      busy={false}
      onApply={onApply}
      imageSize={IMAGE}
      onLine={(a, b) => setLine([a, b])}
      onClearLine={() => setLine(null)}
    />
  );
}

const key = (target: Element, k: string, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(target, { key: k, bubbles: true, cancelable: true, ...init });

describe('the calibration dialog with the keyboard', () => {
  it('draws, adjusts and applies a line without the mouse, and says it as it moves', () => {
    const onApply = vi.fn();
    const reached = windowShortcuts();
    render(<Calibrating onApply={onApply} />);
    const start = screen.getByTestId('calibration-keyboard');
    expect(document.activeElement).toBe(start);
    fireEvent.click(start);
    const editor = screen.getByTestId('calibration-line-editor');
    expect(document.activeElement).toBe(editor);
    expect(screen.getByTestId('calibration-line').getAttribute('aria-live')).toBe('polite');

    key(editor, 'ArrowDown', { shiftKey: true });
    key(editor, 'ArrowRight');
    key(editor, ' ');
    key(editor, 'ArrowUp');
    expect(screen.getByTestId('calibration-line').textContent).toBe(
      'Line 211.0 px from (100, 99) to (101, 310); the arrow keys move end 1 (100, 99).',
    );
    // Space switched ends: it neither panned nor reached any other shortcut.
    expect(reached).toEqual([]);

    key(editor, 'Enter');
    const distance = screen.getByTestId('calibration-distance');
    expect(document.activeElement).toBe(distance);
    fireEvent.change(distance, { target: { value: '63.3' } });
    fireEvent.submit(distance.closest('form')!);
    expect(onApply).toHaveBeenCalledWith(63.3);
  });

  it('takes the line away on Escape and gives the focus back to the start button', () => {
    render(<Calibrating onApply={() => undefined} />);
    fireEvent.click(screen.getByTestId('calibration-keyboard'));
    key(screen.getByTestId('calibration-line-editor'), 'Escape');
    expect(screen.getByTestId('calibration-line').textContent).toBe('No line drawn yet.');
    expect(document.activeElement).toBe(screen.getByTestId('calibration-keyboard'));
  });

  it('is modal: Tab goes round inside it, and its keys never reach the window’s shortcuts', () => {
    const reached = windowShortcuts();
    render(<Calibrating onApply={() => undefined} />);
    const dialog = screen.getByTestId('calibration-dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const start = screen.getByTestId('calibration-keyboard');
    key(start, 'Tab', { shiftKey: true });
    // The Apply button is disabled (no line): the distance field is the last stop.
    expect(document.activeElement).toBe(screen.getByTestId('calibration-distance'));
    key(document.activeElement!, 'Tab');
    expect(document.activeElement).toBe(start);
    key(start, 'b');
    key(start, ' ');
    key(start, 'z', { ctrlKey: true });
    expect(reached).toEqual([]);
    // Ctrl+O still opens another case from it.
    key(start, 'o', { ctrlKey: true });
    expect(reached).toEqual(['open:undefined']);
  });
});

describe('the Open dialog', () => {
  it('holds the focus while open and gives it back to where it was when it closes', () => {
    const opener = document.createElement('button');
    opener.textContent = 'Open…';
    document.body.append(opener);
    opener.focus();
    function Host(): JSX.Element {
      const [open, setOpen] = useState(true);
      return open ? (
        <OpenCaseDialog
          sampleIds={['sample-01']}
          onOpenSample={() => undefined}
          onOpenCase={() => undefined}
          onClose={() => setOpen(false)}
        />
      ) : (
        <p>closed</p>
      );
    }
    const reached = windowShortcuts();
    render(<Host />);
    const dialog = screen.getByTestId('open-dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const first = screen.getByTestId('sample-select');
    expect(document.activeElement).toBe(first);
    key(first, 'Tab', { shiftKey: true });
    expect(document.activeElement?.textContent).toBe('Cancel');
    key(document.activeElement!, 'Tab');
    expect(document.activeElement).toBe(first);
    key(screen.getByTestId('open-sample'), 'h');
    expect(reached).toEqual([]);
    act(() => {
      key(first, 'Escape');
    });
    expect(screen.queryByTestId('open-dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});
