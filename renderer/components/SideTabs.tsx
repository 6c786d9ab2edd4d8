/** The side panel's tabs: the formula comparison, the explanation, the review sessions. */
import type { JSX } from 'react';

export type SideTab = 'compare' | 'explain' | 'review';

const SIDE_TABS: readonly (readonly [SideTab, string])[] = [
  ['compare', 'Comparison'],
  ['explain', 'Explain'],
  ['review', 'Review'],
];

export function SideTabs({ tab, onTab }: { tab: SideTab; onTab(tab: SideTab): void }): JSX.Element {
  return (
    <nav className="tabs">
      {SIDE_TABS.map(([id, label]) => (
        <button
          key={id}
          type="button"
          className={tab === id ? 'active' : ''}
          // The tab shown, said to a screen reader too (not only by its colour).
          aria-pressed={tab === id}
          data-testid={`tab-${id}`}
          onClick={() => onTab(id)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}
