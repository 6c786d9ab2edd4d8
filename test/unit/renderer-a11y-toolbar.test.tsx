// @vitest-environment happy-dom
/**
 * The toolbar from the keyboard and to a screen reader: the transverse caliper kind is a radio
 * group the arrow keys move through (one Tab stop, the chosen kind), and the overlay mode has a
 * visible label, not only a tooltip.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState, type JSX } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Toolbar } from '../../renderer/components/Toolbar';
import { toolbarProps } from './renderer-fixtures';
import type { TransverseCaliperKind } from '../../renderer/editing/calipers';

afterEach(cleanup);

/** The toolbar with the kind kept as the app keeps it. */
function WithKind(): JSX.Element {
  const [kind, setKind] = useState<TransverseCaliperKind>('width');
  return (
    <Toolbar {...toolbarProps({ tool: 'caliper' })} caliperKind={kind} onCaliperKind={setKind} />
  );
}

describe('the transverse caliper kind, from the keyboard', () => {
  it('is one Tab stop, the chosen kind', () => {
    render(<WithKind />);
    const width = screen.getByRole('radio', { name: 'Width' });
    const thickness = screen.getByRole('radio', { name: 'Thickness' });
    expect(width.tabIndex).toBe(0);
    expect(thickness.tabIndex).toBe(-1);
  });

  it('moves with the arrow keys, choosing and focusing the next kind, and wraps', () => {
    render(<WithKind />);
    const width = screen.getByRole('radio', { name: 'Width' });
    width.focus();
    fireEvent.keyDown(width, { key: 'ArrowRight' });
    const thickness = screen.getByRole('radio', { name: 'Thickness' });
    expect(thickness.getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(thickness);
    expect(thickness.tabIndex).toBe(0);
    // Past the last kind: back to the first.
    fireEvent.keyDown(thickness, { key: 'ArrowDown' });
    expect(width.getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(width);
    fireEvent.keyDown(width, { key: 'ArrowLeft' });
    expect(thickness.getAttribute('aria-checked')).toBe('true');
  });

  it('leaves other keys to the window (the tool shortcuts)', () => {
    render(<WithKind />);
    const width = screen.getByRole('radio', { name: 'Width' });
    const event = fireEvent.keyDown(width, { key: 'b' });
    // Not handled here: the event was not cancelled, and the kind stays.
    expect(event).toBe(true);
    expect(width.getAttribute('aria-checked')).toBe('true');
  });
});

describe('the overlay mode', () => {
  it('has a visible label naming it', () => {
    render(<Toolbar {...toolbarProps({ tool: 'caliper' })} />);
    const mode = screen.getByRole('combobox', { name: /Mode/ });
    expect(mode.getAttribute('data-testid')).toBe('overlay-mode');
    expect(mode.closest('label')?.textContent).toMatch(/^Mode/);
  });
});
