/** Every failure the reader should know about, visible until dismissed: errors are never silent. */
import type { JSX } from 'react';

export interface UiError {
  id: number;
  source: string;
  code: string;
  message: string;
}

export function ErrorsPanel({
  errors,
  onDismiss,
}: {
  errors: readonly UiError[];
  onDismiss(id: number | 'all'): void;
}): JSX.Element | null {
  if (errors.length === 0) return null;
  return (
    <section className="errors" role="alert" data-testid="errors-panel">
      {/* Not a <header>: inside this alert it would be a second banner landmark, beside the
          window's toolbar. */}
      <div className="errors-header">
        <strong>
          {errors.length} problem{errors.length > 1 ? 's' : ''}
        </strong>
        <button type="button" onClick={() => onDismiss('all')}>
          Dismiss all
        </button>
      </div>
      <ul>
        {errors.map((e) => (
          <li key={e.id} data-testid="error-item" data-code={e.code}>
            <span className="error-source">{e.source}</span> {e.message}{' '}
            <button
              type="button"
              // Which problem it dismisses, for a reader who hears the buttons one by one.
              aria-label={`Dismiss: ${e.source}`}
              onClick={() => onDismiss(e.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
