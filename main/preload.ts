/**
 * The preload (sandboxed): exposes the API contract to the page as `window.spv`, one function per
 * method, each validating its payload with the contract's schema before ipcRenderer.invoke — the
 * raw ipcRenderer is never exposed. Menu commands arrive through `window.spvShell.onCommand`.
 * Main validates every payload again: the preload is a convenience, not the boundary.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { apiRequestSchemas } from '../src/api';

type Outcome =
  { ok: true; result: unknown } | { ok: false; error: { code: 'bad-input'; message: string } };

const api: Record<string, (request?: unknown) => Promise<Outcome>> = {};
for (const [method, schema] of Object.entries(apiRequestSchemas)) {
  api[method] = (request?: unknown) => {
    const parsed = schema.safeParse(request ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`)
        .join('; ');
      return Promise.resolve({
        ok: false,
        error: { code: 'bad-input', message: `Invalid request for ${method}: ${detail}` },
      });
    }
    return ipcRenderer.invoke(`spv:${method}`, parsed.data ?? {}) as Promise<Outcome>;
  };
}

contextBridge.exposeInMainWorld('spv', api);
contextBridge.exposeInMainWorld('spvShell', {
  onCommand(listener: (command: unknown) => void): () => void {
    const handler = (_event: IpcRendererEvent, command: unknown) => listener(command);
    ipcRenderer.on('spv:command', handler);
    return () => ipcRenderer.removeListener('spv:command', handler);
  },
});
