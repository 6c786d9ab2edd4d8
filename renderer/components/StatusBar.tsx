import type { JSX } from 'react';
import type { Status } from '../../src/api';

export function StatusBar({
  status,
  inference,
  message,
}: {
  status: Status | null;
  inference: string | null;
  message: string;
}): JSX.Element {
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span data-testid="status-model">Model {status?.modelVersion ?? '…'}</span>
      <span
        data-testid="status-provider"
        title={status?.providersTried
          .map((p) => `${p.provider}: ${p.ok ? 'ok' : (p.error ?? 'failed')}`)
          .join('\n')}
      >
        Provider {status?.provider ?? '…'}
      </span>
      <span>Host {status?.host ?? '…'}</span>
      {inference && <span className="warning">{inference}</span>}
      <span className="grow" />
      {/* Announced as it changes (a case opened, signed off, an edit refused): a screen reader
          hears it without the focus leaving the work. */}
      <span role="status" data-testid="status-message">
        {message}
      </span>
      <span className="muted">Research use only — not for diagnosis</span>
    </footer>
  );
}
