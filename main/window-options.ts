/**
 * The main window's options, in their own module so a unit test can check the whole Electron
 * security checklist without starting Electron (DESIGN §3, §7).
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function mainWindowOptions(
  preloadPath: string,
  iconPath?: string,
): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1000,
    minHeight: 640,
    backgroundColor: '#0b0c0e',
    title: 'SPV Workstation',
    icon: iconPath,
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/**
 * True when an IPC message comes from the app's own page (file://…/dist/renderer/index.html).
 * `rendererIndexUrl` is Node's pathToFileURL of the page, the sender's URL is Chromium's: the two
 * spell one file differently on Windows (Chromium writes the drive letter in capitals, and the two
 * need not percent-encode the same characters of an install folder such as "C:\\Users\\Zoë"), so
 * paths are compared decoded, and without regard to case where they are Windows drive paths or
 * UNC shares (case-insensitive file systems). A mismatch here would refuse every request.
 */
export function isTrustedSenderUrl(senderUrl: string, rendererIndexUrl: string): boolean {
  try {
    const sender = new URL(senderUrl);
    const expected = new URL(rendererIndexUrl);
    if (sender.protocol !== 'file:' || expected.protocol !== 'file:') return false;
    return fileKey(sender) === fileKey(expected);
  } catch {
    // Not a URL, or a percent sign that decodes to nothing: not the app's page.
    return false;
  }
}

/** The file a file: URL names, in one spelling: host and decoded path, folded on Windows. */
function fileKey(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  const key = `${url.host}|${path}`;
  return url.host !== '' || /^\/[A-Za-z]:\//.test(path) ? key.toLowerCase() : key;
}
