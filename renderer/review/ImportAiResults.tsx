/**
 * What the AI found for each case of an import run with the AI (ImportReport.ai): its volume with
 * the 95% interval, or why there is none, and what it asks to check first. Whoever imports a day's
 * studies sees which got no volume (an uncalibrated image) and which need a look (views
 * that look swapped, an implausible outline) before the worklist is built from them.
 */
import type { JSX } from 'react';
import type { ImportAiResult } from '../../src/api/store-contract';
import { ml } from '../components/format';

function resultText(result: ImportAiResult): string {
  if (result.volumeMl === null || result.ci95Ml === null || result.mode === null)
    return `no volume: ${result.noVolumeReason ?? 'not estimated'}`;
  return `${ml(result.volumeMl)} (95% interval ${ml(result.ci95Ml[0])} – ${ml(result.ci95Ml[1])}), ${result.mode}-view model`;
}

export function ImportAiResults({ results }: { results: readonly ImportAiResult[] }): JSX.Element {
  const toLook = results.filter((r) => r.volumeMl === null || r.checkFirst.length > 0).length;
  return (
    // Folded, as the other lists of the import result: the count of cases to look at is in its
    // summary, and the case list below shows ⚠ by each; opened, it would push that list out of sight.
    <details data-testid="import-ai-results">
      <summary>
        AI results for {results.length} case(s)
        {toLook > 0 && `: ${toLook} without a volume or to check first`}
      </summary>
      <ul>
        {results.map((r) => (
          <li key={r.caseId} data-testid="import-ai-result">
            {`Case ${r.caseId} ${r.title}: ${resultText(r)}`}
            {r.checkFirst.length > 0 && (
              <span className="review-check-first">{` ⚠ check first: ${r.checkFirst.join('; ')}`}</span>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}
