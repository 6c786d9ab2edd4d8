/** A small horizontal chart: DeepSPV with its 95% interval and each formula's estimate. */
import type { JSX } from 'react';
import type { Estimate } from '../../src/api';

export function EstimateChart({ estimate }: { estimate: Estimate }): JSX.Element {
  const rows = [
    {
      label: 'DeepSPV',
      value: estimate.volumeMl,
      lo: estimate.ci95Ml[0],
      hi: estimate.ci95Ml[1],
      citation: 'DeepSPV (Yuan et al., MedIA 2025)',
    },
    ...estimate.formulas
      .filter((f) => f.volumeMl !== null)
      .map((f) => ({
        label: f.name,
        value: f.volumeMl as number,
        lo: null,
        hi: null,
        citation: f.citation,
      })),
  ];
  const max = Math.max(...rows.map((r) => r.hi ?? r.value)) * 1.1 || 1;
  const width = 300;
  const left = 110;
  const rowH = 22;
  const x = (v: number) => left + (v / max) * (width - left - 24);
  const height = rows.length * rowH + 24;
  const step = niceStep(max / 4);
  const ticks = Array.from({ length: Math.floor(max / step) + 1 }, (_, k) => k * step);
  return (
    <svg
      className="chart"
      data-testid="estimate-chart"
      width={width}
      height={height}
      role="img"
      aria-label="Volume estimates with the DeepSPV 95% interval"
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={0} y2={height - 18} stroke="#333" />
          <text x={x(t)} y={height - 4} fontSize={9} fill="#888" textAnchor="middle">
            {t}
          </text>
        </g>
      ))}
      {rows.map((r, k) => {
        const cy = k * rowH + rowH / 2;
        return (
          <g key={r.label}>
            <title>{r.citation}</title>
            <text x={left - 6} y={cy + 4} fontSize={11} fill="#ccc" textAnchor="end">
              {r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label}
            </text>
            {r.lo !== null && r.hi !== null && (
              <line x1={x(r.lo)} x2={x(r.hi)} y1={cy} y2={cy} stroke="#ffc400" strokeWidth={3} />
            )}
            <circle cx={x(r.value)} cy={cy} r={4} fill={k === 0 ? '#ffc400' : '#6fc3ff'} />
          </g>
        );
      })}
    </svg>
  );
}

/** A round tick step (1, 2 or 5 × 10^k) close to `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-9)));
  const unit = rough / power;
  return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}
