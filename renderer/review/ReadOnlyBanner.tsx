/**
 * Shown over the side panel while the viewer holds a signed-off stored case: its masks and calipers
 * are read-only (the store would not save a change) until it is unlocked in the Review tab.
 */
import type { JSX } from 'react';
import './review.css';

export function ReadOnlyBanner({ reason }: { reason: string | null }): JSX.Element | null {
  if (reason === null) return null;
  return (
    <div className="read-only-banner" role="status" data-testid="read-only-banner">
      Read-only. {reason}.
    </div>
  );
}
