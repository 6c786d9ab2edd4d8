import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../main/csp';
import { isTrustedSenderUrl, mainWindowOptions } from '../../main/window-options';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1).join(' ')] as [string, string]),
  );
}

describe('Electron window options', () => {
  const options = mainWindowOptions('/app/dist/main/preload.cjs');
  const web = options.webPreferences ?? {};

  it('follows the Electron security checklist', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.preload).toBe('/app/dist/main/preload.cjs');
  });

  it('trusts IPC only from the app page itself', () => {
    const index = 'file:///app/dist/renderer/index.html';
    expect(isTrustedSenderUrl('file:///app/dist/renderer/index.html?sample=default', index)).toBe(
      true,
    );
    expect(isTrustedSenderUrl('file:///app/dist/renderer/other.html', index)).toBe(false);
    expect(isTrustedSenderUrl('file:///tmp/evil/index.html', index)).toBe(false);
    expect(isTrustedSenderUrl('https://example.com/dist/renderer/index.html', index)).toBe(false);
    expect(isTrustedSenderUrl('', index)).toBe(false);
    expect(isTrustedSenderUrl('not a url', index)).toBe(false);
  });

  it('recognises the app page on Windows however Chromium and Node spell its path', () => {
    // Node's pathToFileURL of C:\\Users\\Zoë Müller\\AppData\\Local\\Programs\\SPV\\resources\\app.asar\\…
    const index = pathToFileURL(
      'C:\\Users\\Zoë Müller\\AppData\\Local\\Programs\\SPV\\resources\\app.asar\\dist\\renderer\\index.html',
      { windows: true },
    ).href;
    const page =
      'file:///C:/Users/Zo%C3%AB%20M%C3%BCller/AppData/Local/Programs/SPV/resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSenderUrl(page, index)).toBe(true);
    // The drive letter and folder names in another case, characters left unencoded: one file.
    expect(isTrustedSenderUrl(page.replace('file:///C:', 'file:///c:'), index)).toBe(true);
    expect(
      isTrustedSenderUrl(
        'file:///C:/Users/Zoë Müller/appdata/Local/Programs/SPV/resources/app.asar/dist/renderer/index.html?sample=default',
        index,
      ),
    ).toBe(true);
    // Another file of the same folder, or the same name elsewhere, is not the app page.
    expect(isTrustedSenderUrl(page.replace('index.html', 'evil.html'), index)).toBe(false);
    expect(isTrustedSenderUrl('file:///D:/dist/renderer/index.html', index)).toBe(false);
    // A UNC share: the server is part of the file's name.
    const unc = 'file://server/share/SPV/dist/renderer/index.html';
    expect(isTrustedSenderUrl('file://SERVER/share/SPV/dist/renderer/index.html', unc)).toBe(true);
    expect(isTrustedSenderUrl('file://other/share/SPV/dist/renderer/index.html', unc)).toBe(false);
  });

  it('keeps case apart on a POSIX path, and refuses a path that does not decode', () => {
    const index = 'file:///opt/SPV/dist/renderer/index.html';
    expect(isTrustedSenderUrl('file:///opt/spv/dist/renderer/index.html', index)).toBe(false);
    expect(isTrustedSenderUrl('file:///opt/SPV/dist/renderer/index%E0%A4%A.html', index)).toBe(
      false,
    );
  });
});

describe('content security policy', () => {
  const csp = directives(RENDERER_CSP);

  it('allows nothing by default, scripts only from the app, no eval or inline script', () => {
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(RENDERER_CSP).not.toMatch(/unsafe-(eval|inline)|https?:|\*/);
  });

  it('is the same policy in the page meta tag (minus frame-ancestors, which meta cannot carry)', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const expected = new Map(csp);
    expected.delete('frame-ancestors');
    expect(directives(meta ?? '')).toEqual(expected);
    expect(html).not.toMatch(/<script>[^<]/);
  });
});
