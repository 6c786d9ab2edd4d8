import { createRoot } from 'react-dom/client';
import { connectApi } from './api-client';
import { App } from './App';
import './styles.css';

const STARTED_KEY = 'spv-started';

/**
 * Which sample to open at start: the one named by `?sample=` (`default` = the app's default), or
 * the default one on the very first start so that a newcomer sees the whole flow at once.
 */
function initialSample(): { sampleId: string | null } | null {
  const requested = new URLSearchParams(window.location.search).get('sample');
  const firstStart = window.localStorage.getItem(STARTED_KEY) === null;
  window.localStorage.setItem(STARTED_KEY, new Date().toISOString());
  if (requested) return { sampleId: requested === 'default' ? null : requested };
  return firstStart ? { sampleId: null } : null;
}

const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const api = connectApi();
  root.render(<App api={api} initialSample={initialSample()} shell={window.spvShell ?? null} />);
} catch (err) {
  root.render(
    <div className="fatal" data-testid="errors-panel" role="alert">
      {err instanceof Error ? err.message : String(err)}
    </div>,
  );
}
