import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../main/csp';
import { mainWindowOptions } from '../../main/window-options';

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
