/** Files an export wrote: where the host put them, and a download link for browsers. */
import type { JSX } from 'react';
import type { ExportedFile } from '../../src/api/store-contract';

export function ExportLinks({
  files,
  testId,
}: {
  files: readonly ExportedFile[];
  testId: string;
}): JSX.Element | null {
  if (files.length === 0) return null;
  return (
    <ul className="review-exports" data-testid={testId}>
      {files.map((f) => (
        <li key={f.path}>
          <a href={f.dataUrl} download={f.name} data-testid={`download-${f.name}`}>
            {f.name}
          </a>{' '}
          <span className="review-muted" title={f.path}>
            saved in {f.path.replace(/[\\/][^\\/]*$/, '')}
          </span>
        </li>
      ))}
    </ul>
  );
}
