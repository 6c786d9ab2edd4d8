/**
 * The same flow through Playwright's Electron launcher, when the Electron binary exists. The npm
 * package downloads it at install time; on machines without internet (like CI here) the download
 * is skipped and node_modules/electron/dist is absent, so this test reports why it is skipped.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { runMainFlow } from './workstation-flow';
import { builtHostsSkipReason, ensureBuilt, REPO_ROOT } from './web-session';

const ELECTRON_DIST = join(REPO_ROOT, 'node_modules', 'electron', 'dist');
const modelsPresent = existsSync(join(REPO_ROOT, 'models', 'manifest.json'));
const skipReason = !existsSync(ELECTRON_DIST)
  ? `the Electron binary is absent (${ELECTRON_DIST} does not exist: electron's install step could not download it on this offline machine)`
  : !modelsPresent
    ? 'models/manifest.json is missing'
    : builtHostsSkipReason();
if (skipReason) console.warn(`Electron e2e skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('workstation in Electron', () => {
  let app: ElectronApplication | null = null;
  afterAll(async () => app?.close());

  it('opens the sample and runs the whole flow with the hardened window', async () => {
    ensureBuilt();
    app = await electron.launch({
      executablePath: join(
        ELECTRON_DIST,
        process.platform === 'win32' ? 'electron.exe' : 'electron',
      ),
      // A fresh profile: the bundled sample opens on the first start.
      args: [
        join(REPO_ROOT, 'dist', 'main', 'electron-main.cjs'),
        '--no-sandbox',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'spv-electron-'))}`,
      ],
      cwd: REPO_ROOT,
    });
    const page = await app.firstWindow();
    // Served by the app's own scheme (main/app-protocol.ts), never from file://.
    expect(page.url()).toMatch(/^spv:\/\/app\/index\.html(\?|$)/);
    await page.setViewportSize({ width: 1600, height: 1000 });
    await runMainFlow(page, 'electron');
  });
});
