import { createRoot } from 'react-dom/client';
import { connectApi } from './api-client';
import { App } from './App';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const api = connectApi();
  const params = new URLSearchParams(window.location.search);
  root.render(
    <App api={api} initialSample={params.get('sample')} shell={window.spvShell ?? null} />,
  );
} catch (err) {
  root.render(
    <div className="fatal" data-testid="errors-panel" role="alert">
      {err instanceof Error ? err.message : String(err)}
    </div>,
  );
}
