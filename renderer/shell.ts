/**
 * Commands from the Electron shell (menus, the inference watchdog) to the page. The preload
 * exposes `window.spvShell`; in the browser there is none and the UI offers the same actions itself.
 */
import type { OpenCaseRequest } from '../src/api';

export type ShellCommand =
  | { type: 'open-case'; request: OpenCaseRequest }
  | { type: 'open-dialog' }
  | { type: 'export' }
  | { type: 'inference-status'; message: string | null };

export interface ShellBridge {
  /** Subscribes; returns the unsubscribe function. */
  onCommand(listener: (command: ShellCommand) => void): () => void;
}

declare global {
  interface Window {
    spvShell?: ShellBridge;
  }
}
