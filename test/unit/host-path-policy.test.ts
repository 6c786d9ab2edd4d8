import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathPolicy } from '../../main/path-policy';

/**
 * Real folders and links: cases/link → outside/sub, so `cases/link/../secret.png` opens
 * outside/secret.png although its text collapses to cases/secret.png.
 */
const root = mkdtempSync(join(tmpdir(), 'spv-policy-'));
const casesDir = join(root, 'cases');
const outsideDir = join(root, 'outside');
mkdirSync(casesDir);
mkdirSync(join(outsideDir, 'sub'), { recursive: true });
writeFileSync(join(casesDir, 'a.png'), 'inside');
writeFileSync(join(outsideDir, 'secret.png'), 'secret');
symlinkSync(join(outsideDir, 'sub'), join(casesDir, 'link'));
symlinkSync(join(outsideDir, 'nothing-here.png'), join(casesDir, 'dangling.png'));
const policy = new PathPolicy([casesDir]);

describe('PathPolicy with links', () => {
  it('refuses a ".." after a linked folder, which the OS resolves outside the case folder', () => {
    const sneaky = join(casesDir, 'link') + '/../secret.png';
    // The bypass is real: this path reads the file outside.
    expect(readFileSync(sneaky, 'utf8')).toBe('secret');
    expect(policy.isAllowed(sneaky)).toBe(false);
    expect(() => policy.checkRequest('openCase', { coronalPath: sneaky })).toThrow(
      /coronalPath ".*" contains a "\.\." segment.*give the path without "\.\."/,
    );
    // Even a ".." that stays inside is refused: the check must not depend on what links lie before it.
    expect(policy.isAllowed(`${casesDir}/sub/../a.png`)).toBe(false);
  });

  it('resolves links in the existing part of a path that does not exist yet', () => {
    // An export target under the link would be written outside.
    expect(policy.isAllowed(join(casesDir, 'link', 'export.csv'))).toBe(false);
    expect(policy.isAllowed(join(casesDir, 'link', 'new', 'deeper', 'export.csv'))).toBe(false);
    // A link whose target does not exist yet would be followed by a write.
    expect(() =>
      policy.checkRequest('exportCases', { outFile: join(casesDir, 'dangling.png') }),
    ).toThrow(/cannot be resolved/);
  });

  it('still allows real paths inside, existing or not', () => {
    expect(policy.isAllowed(join(casesDir, 'a.png'))).toBe(true);
    expect(policy.isAllowed(`${casesDir}/./a.png`)).toBe(true);
    expect(policy.isAllowed(join(casesDir, 'exports', 'new', 'out.csv'))).toBe(true);
    expect(policy.isAllowed(join(outsideDir, 'secret.png'))).toBe(false);
  });
});
