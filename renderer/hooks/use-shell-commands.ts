/** Commands from the Electron shell's menus and inference watchdog; in the browser there is none. */
import { useEffect } from 'react';
import type { OpenCaseRequest } from '../../src/api';
import type { ShellBridge } from '../shell';

export interface ShellCommandHandlers {
  openCase(request: OpenCaseRequest): void;
  openDialog(): void;
  inferenceStatus(message: string | null): void;
  exportEstimate(): void;
}

export function useShellCommands(shell: ShellBridge | null, handlers: ShellCommandHandlers): void {
  // Subscribed again after every render, so the handlers always see the current state.
  useEffect(() => {
    if (!shell) return;
    return shell.onCommand((command) => {
      if (command.type === 'open-case') handlers.openCase(command.request);
      else if (command.type === 'open-dialog') handlers.openDialog();
      else if (command.type === 'inference-status') handlers.inferenceStatus(command.message);
      else if (command.type === 'export') handlers.exportEstimate();
    });
  });
}
