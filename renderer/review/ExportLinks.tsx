/**
 * Files an export wrote: where the host put them, and a download link for browsers. `files` come
 * latest first; a name exported again (the same report after another format, say) is listed once,
 * as its latest export: an earlier copy beside it reads as a second, different file.
 */
import type { JSX } from 'react';
import type { ExportedFile } from '../../src/api/store-contract';

/** Each file name once, its first (latest) occurrence kept, in the order given. */
export function latestPerName(files: readonly ExportedFile[]): ExportedFile[] {
  const seen = new Set<string>();
  return files.filter((f) => {
    if (seen.has(f.name)) return false;
    seen.add(f.name);
    return true;
  });
}

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
      {latestPerName(files).map((f) => (
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
