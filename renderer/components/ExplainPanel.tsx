/**
 * Why the model says what it says: the case on the first two latent principal components over the
 * training cloud (coloured by volume), the distance from the training data with a visible warning
 * when the case is unlike anything the model saw, and a toggle for the decoder's reconstruction.
 */
import type { JSX } from 'react';
import type { Explanation } from '../../src/api';

export interface ExplainPanelProps {
  explanation: Explanation | null;
  loading: boolean;
  showReconstruction: boolean;
  onShowReconstruction(v: boolean): void;
  onRefresh(): void;
  calibrated: boolean;
}

function volumeColour(v: number, lo: number, hi: number): string {
  const t = Math.min(
    1,
    Math.max(0, (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo) || 1)),
  );
  return `hsl(${Math.round(220 - 200 * t)}, 70%, 55%)`;
}

export function ExplainPanel(p: ExplainPanelProps): JSX.Element {
  const e = p.explanation;
  if (!p.calibrated) return <section className="panel">No explanation before calibration.</section>;
  const size = 260;
  let plot: JSX.Element | null = null;
  if (e && e.trainingCloud.length > 0) {
    const xs = [...e.trainingCloud.map((c) => c[0]), e.pcaPosition[0]];
    const ys = [...e.trainingCloud.map((c) => c[1]), e.pcaPosition[1]];
    const vols = e.trainingCloud.map((c) => c[2]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    const sx = (v: number) => 10 + ((v - x0) / (x1 - x0 || 1)) * (size - 20);
    const sy = (v: number) => size - 10 - ((v - y0) / (y1 - y0 || 1)) * (size - 20);
    const [vlo, vhi] = [Math.min(...vols), Math.max(...vols)];
    plot = (
      <svg
        width={size}
        height={size}
        className="pca"
        data-testid="pca-plot"
        role="img"
        aria-label="Latent PCA: this case over the training cloud"
      >
        <rect width={size} height={size} fill="#111" />
        {e.trainingCloud.map((c, k) => (
          <circle
            key={k}
            cx={sx(c[0])}
            cy={sy(c[1])}
            r={2}
            fill={volumeColour(c[2], vlo, vhi)}
            opacity={0.7}
          >
            <title>{`${Math.round(c[2])} mL`}</title>
          </circle>
        ))}
        <g transform={`translate(${sx(e.pcaPosition[0])},${sy(e.pcaPosition[1])})`}>
          <line x1={-7} x2={7} y1={0} y2={0} stroke="#fff" strokeWidth={2} />
          <line x1={0} x2={0} y1={-7} y2={7} stroke="#fff" strokeWidth={2} />
          <title>This case</title>
        </g>
        <text x={6} y={size - 4} fontSize={10} fill="#888">
          PC1 → (follows volume; colour: training volume)
        </text>
      </svg>
    );
  }
  return (
    <section className="panel" data-testid="explain-panel">
      <h2>Explain</h2>
      <label title="Overlay the decoder's reconstruction of the mask (R)">
        <input
          type="checkbox"
          data-testid="show-reconstruction"
          checked={p.showReconstruction}
          onChange={(ev) => p.onShowReconstruction(ev.target.checked)}
        />{' '}
        Show decoder reconstruction
      </label>{' '}
      <button type="button" onClick={p.onRefresh} data-testid="explain-refresh">
        Refresh
      </button>
      {p.loading && <span className="updating"> updating…</span>}
      {e && (
        <>
          {e.outOfDistribution ? (
            <div className="warning strong" data-testid="ood-warning">
              ⚠ This case is far from the training data (Mahalanobis {e.mahalanobis.toFixed(1)} &gt;{' '}
              {e.distanceThreshold.toFixed(1)}): treat the estimate with caution.
            </div>
          ) : (
            <div className="muted" data-testid="ood-ok">
              Within the training distribution (Mahalanobis {e.mahalanobis.toFixed(1)} ≤{' '}
              {e.distanceThreshold.toFixed(1)}).
            </div>
          )}
          {plot}
        </>
      )}
    </section>
  );
}
