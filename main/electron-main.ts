/**
 * The Electron main process: one hardened window, the API over IPC (every sender and payload
 * checked), inference in a supervised utility process, menus and file dialogs. Thin on purpose:
 * the logic lives in the modules it wires together.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  type MenuItemConstructorOptions,
} from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { apiMethods, createDispatcher } from './api-dispatch';
import { APP_SCHEME, appPageUrl, appProtocolHandler, isTrustedSenderUrl } from './app-protocol';
import { RENDERER_CSP } from './csp';
import type { InferenceReply } from './inference-protocol';
import { PathPolicy } from './path-policy';
import { RendererRecovery } from './renderer-recovery';
import { appPaths, createServices, type Services } from './services';
import { SupervisedInference, type InferenceStatus } from './supervised-inference';
import { mainWindowOptions } from './window-options';
import { DEFAULT_PREFERENCES, parsePreferences, type Preferences } from './preferences';

app.enableSandbox();
// The renderer is served from spv://app (./app-protocol.ts), not file://. A standard, secure
// scheme: relative URLs, an origin of its own for the CSP's 'self', a secure context. Must be
// registered before the app is ready.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
]);

/** dist/main/electron-main.cjs → app root; packaged: models and samples are unpacked from the asar. */
const appRoot = join(__dirname, '..', '..');
const unpackedRoot = app.isPackaged ? appRoot.replace(/app\.asar$/, 'app.asar.unpacked') : appRoot;
const rendererDir = join(appRoot, 'dist', 'renderer');

let mainWindow: BrowserWindow | null = null;
let services: Services | null = null;

function sendCommand(command: unknown): void {
  // The inference process reports on its own time: during shutdown the window (or its page) can be
  // destroyed before 'closed' clears mainWindow, and send() would then throw in the main process.
  if (!mainWindow || mainWindow.isDestroyed() || mainWindow.webContents.isDestroyed()) return;
  mainWindow.webContents.send('spv:command', command);
}

function describeStatus(status: InferenceStatus): string | null {
  if (status.state === 'crashed')
    return `Inference restarting in ${Math.round(status.retryInMs / 100) / 10} s: ${status.message}`;
  if (status.state === 'failed') return `Inference unavailable: ${status.message}`;
  return null;
}

function startInference(modelsDir: string): SupervisedInference {
  return new SupervisedInference({
    launch: ({ providers }) => {
      const args = providers ? [modelsDir, providers.join(',')] : [modelsDir];
      const child = utilityProcess.fork(join(__dirname, 'inference-process.cjs'), args, {
        serviceName: 'SPV inference',
        stdio: 'inherit',
      });
      return {
        postMessage: (message) => child.postMessage(message),
        onMessage: (listener) =>
          child.on('message', (message: InferenceReply) => listener(message)),
        onExit: (listener) => child.on('exit', (code) => listener(code)),
        kill: () => void child.kill(),
      };
    },
    onStatus: (status) =>
      sendCommand({ type: 'inference-status', message: describeStatus(status) }),
  });
}

function preferencesFile(): string {
  return join(app.getPath('userData'), 'preferences.json');
}

function readPreferences(): Preferences {
  try {
    return parsePreferences(readFileSync(preferencesFile(), 'utf8'));
  } catch {
    // No file yet (or unreadable): the defaults.
    return { ...DEFAULT_PREFERENCES };
  }
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function registerIpc(svc: Services, policy: PathPolicy): void {
  const dispatcher = createDispatcher(svc.service, (err) => console.error('SPV API error:', err));
  for (const method of apiMethods) {
    ipcMain.handle(`spv:${method}`, async (event, request: unknown) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSenderUrl(url)) {
        return {
          ok: false,
          error: {
            code: 'forbidden',
            message: `Refused ${method} from an untrusted frame (${url || 'unknown'}).`,
          },
        };
      }
      try {
        policy.checkRequest(method, request);
      } catch (err) {
        return {
          ok: false,
          error: { code: 'forbidden', message: err instanceof Error ? err.message : String(err) },
        };
      }
      return dispatcher.dispatch(method, request);
    });
  }
}

async function openCaseDialog(policy: PathPolicy): Promise<void> {
  if (!mainWindow) return;
  const picked = await dialog.showOpenDialog(mainWindow, {
    title: 'Open a case: the coronal image, and optionally the transverse image',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Ultrasound images', extensions: ['dcm', 'dicom', 'png', 'jpg', 'jpeg'] },
      { name: 'All files', extensions: ['*'] },
    ],
  });
  if (picked.canceled || picked.filePaths.length === 0) return;
  const [coronalPath, transversePath] = picked.filePaths;
  for (const p of picked.filePaths) policy.allow(dirname(p));
  sendCommand({
    type: 'open-case',
    request: { coronalPath, transversePath: transversePath ?? null },
  });
}

async function openFolderDialog(policy: PathPolicy): Promise<void> {
  if (!mainWindow || !services) return;
  const picked = await dialog.showOpenDialog(mainWindow, {
    title: 'Import a folder of cases',
    properties: ['openDirectory'],
  });
  if (picked.canceled || picked.filePaths.length === 0) return;
  const folder = picked.filePaths[0];
  policy.allow(folder);
  const importPaths = services.service.importPaths;
  if (!importPaths) {
    await dialog.showMessageBox(mainWindow, {
      type: 'info',
      message: `${folder} is now allowed: open its images with File › Open case.`,
    });
    return;
  }
  try {
    const report = await importPaths.call(services.service, { paths: [folder] } as Parameters<
      typeof importPaths
    >[0]);
    await dialog.showMessageBox(mainWindow, {
      type: 'info',
      message: `Imported ${folder}`,
      detail: JSON.stringify(report, null, 1).slice(0, 2000),
    });
  } catch (err) {
    dialog.showErrorBox('Import failed', err instanceof Error ? err.message : String(err));
  }
}

async function showAbout(): Promise<void> {
  if (!mainWindow) return;
  let detail = 'The models are not loaded.';
  try {
    const status = await services?.engine.getStatus();
    if (status)
      detail = `Model ${status.modelVersion}\nExecution provider: ${status.provider}\nTried: ${status.providersTried.map((p) => `${p.provider} ${p.ok ? 'ok' : `failed (${p.error ?? ''})`}`).join(', ')}`;
  } catch (err) {
    detail = err instanceof Error ? err.message : String(err);
  }
  await dialog.showMessageBox(mainWindow, {
    type: 'info',
    title: 'About SPV Workstation',
    message: `SPV Workstation ${app.getVersion()}`,
    detail: `${detail}\n\nDeepSPV: Yuan et al., Medical Image Analysis 2025. Research use only — not for diagnosis.`,
  });
}

async function showPreferences(): Promise<void> {
  if (!mainWindow) return;
  const prefs = readPreferences();
  const choice = await dialog.showMessageBox(mainWindow, {
    type: 'question',
    title: 'Preferences',
    message: 'Open the bundled sample case at every start?',
    detail: `Currently: ${prefs.openSampleOnStart ? 'yes' : 'only on the first start'}.`,
    buttons: ['Every start', 'First start only', 'Cancel'],
    cancelId: 2,
  });
  if (choice.response === 2) return;
  writeFileSync(
    preferencesFile(),
    JSON.stringify({ ...prefs, openSampleOnStart: choice.response === 0 }, null, 1),
  );
}

function buildMenu(policy: PathPolicy): Menu {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Case…',
          accelerator: 'CmdOrCtrl+O',
          click: () => void openCaseDialog(policy),
        },
        {
          label: 'Open Folder…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: () => void openFolderDialog(policy),
        },
        { label: 'Open Sample…', click: () => sendCommand({ type: 'open-dialog' }) },
        { type: 'separator' },
        {
          label: 'Export Estimate…',
          accelerator: 'CmdOrCtrl+E',
          click: () => sendCommand({ type: 'export' }),
        },
        { type: 'separator' },
        { label: 'Preferences…', accelerator: 'CmdOrCtrl+,', click: () => void showPreferences() },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { label: 'Edit', submenu: [{ role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'About SPV Workstation', click: () => void showAbout() },
        {
          label: 'DeepSPV article',
          click: () => void shell.openExternal('https://doi.org/10.1016/j.media.2025.103671'),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

/**
 * A page process that dies (a crash, out of memory) would leave a blank window: the page is loaded
 * again, without the start-up query, so that it opens the case it showed from the store
 * (renderer-recovery.ts says when, and when to stop).
 */
function watchPageProcess(window: BrowserWindow): void {
  const recovery = new RendererRecovery();
  window.webContents.on('render-process-gone', (_event, details) => {
    if (window.isDestroyed()) return;
    const step = recovery.onGone(details.reason);
    if (step.action === 'none') return;
    console.error(
      `SPV: the page process is gone (${details.reason}, exit code ${details.exitCode})`,
    );
    if (step.action === 'give-up') {
      dialog.showErrorBox('SPV Workstation', step.message);
      return;
    }
    window
      .loadURL(appPageUrl())
      .catch((error: unknown) => console.error('SPV: reloading the page failed:', error));
    void dialog.showMessageBox(window, {
      type: 'warning',
      title: 'Display restarted',
      message: step.message,
    });
  });
}

async function createWindow(policy: PathPolicy): Promise<void> {
  const icon = join(appRoot, 'build', 'icon.png');
  mainWindow = new BrowserWindow(
    mainWindowOptions(join(__dirname, 'preload.cjs'), existsSync(icon) ? icon : undefined),
  );
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = null));
  watchPageProcess(mainWindow);
  Menu.setApplicationMenu(buildMenu(policy));
  const query: Record<string, string> = readPreferences().openSampleOnStart
    ? { sample: 'default' }
    : {};
  await mainWindow.loadURL(appPageUrl(query));
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => mainWindow?.focus());
  app.on('window-all-closed', () => app.quit());
  await app.whenReady();
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
  hardenSession();
  const paths = appPaths(unpackedRoot, join(app.getPath('userData'), 'data'));
  const policy = new PathPolicy([paths.samplesDir, paths.dataDir]);
  try {
    services = await createServices(paths, 'electron', startInference(paths.modelsDir));
  } catch (err) {
    dialog.showErrorBox(
      'SPV Workstation cannot start',
      err instanceof Error ? err.message : String(err),
    );
    app.quit();
    return;
  }
  registerIpc(services, policy);
  await createWindow(policy);
  app.on('before-quit', (event) => closeServicesThenQuit(event));
}

let servicesClosed = false;
let servicesClosing = false;

/**
 * Quitting waits for the services to close: the requests in progress finish (an estimate is saved)
 * and the database closes cleanly. The first before-quit is held back until then; the app.quit()
 * that follows passes through.
 */
function closeServicesThenQuit(event: Electron.Event): void {
  if (servicesClosed || !services) return;
  event.preventDefault();
  if (servicesClosing) return;
  servicesClosing = true;
  services
    .close()
    .catch((err: unknown) => console.error('SPV: closing the services failed:', err))
    .finally(() => {
      servicesClosed = true;
      services = null;
      app.quit();
    });
}

void main();
