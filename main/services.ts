/**
 * Builds the service both hosts expose: the engine (CaseApi) behind the case store (StoreApi),
 * which persists every estimate of a stored case. One place so that Electron and the web host
 * serve exactly the same API.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/engine';
import { createStoreService } from '../src/store-service/service';
import type { Inference } from '../src/inference/types';
import type { HostedService } from './api-dispatch';

export interface AppPaths {
  /** The folder holding models/ (the app root, or resources/app.asar.unpacked when packaged). */
  appRoot: string;
  modelsDir: string;
  samplesDir: string;
  /** Where the cases database and exports live. */
  dataDir: string;
}

export function appPaths(appRoot: string, dataDir: string): AppPaths {
  const modelsDir = join(appRoot, 'models');
  return { appRoot, modelsDir, samplesDir: join(modelsDir, 'samples'), dataDir };
}

export interface Services {
  service: HostedService;
  engine: Engine;
  /** Lets the calls in progress finish (up to a grace period), then closes inference and store. */
  close(): Promise<void>;
}

/** How long closing waits for calls in progress: an estimate being computed, then saved. */
export const CLOSE_GRACE_MS = 15_000;

export interface TrackedService<T> {
  service: T;
  /** Calls that have started and not settled. */
  readonly inFlight: number;
  /**
   * Waits for the calls in progress, and for those they start meanwhile; true when none is left
   * within `timeoutMs`, false when some were still running.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

/**
 * The service with every call counted while it runs, so that closing can let the calls in progress
 * finish — an estimate that completes is saved to the store — before the store closes under them.
 */
export function trackCalls<T extends object>(target: T): TrackedService<T> {
  const running = new Set<Promise<unknown>>();
  const service = new Proxy(target, {
    get(obj, key) {
      const value: unknown = Reflect.get(obj, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        // Called on the service itself, whatever `this` the caller used (its private state).
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, obj, args);
        if (result instanceof Promise) {
          running.add(result);
          const done = () => running.delete(result);
          result.then(done, done);
        }
        return result;
      };
    },
  });
  return {
    service,
    get inFlight() {
      return running.size;
    },
    async drain(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      const deadline = new Promise<void>(
        (r) =>
          (timer = setTimeout(() => {
            timedOut = true;
            r();
          }, timeoutMs)),
      );
      try {
        while (running.size > 0 && !timedOut)
          await Promise.race([Promise.allSettled([...running]), deadline]);
        return running.size === 0;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export async function createServices(
  paths: AppPaths,
  host: 'electron' | 'web',
  inference?: Inference,
): Promise<Services> {
  const engine = await createEngine({
    modelsDir: paths.modelsDir,
    samplesDir: paths.samplesDir,
    host,
    inference,
  });
  mkdirSync(paths.dataDir, { recursive: true });
  const store = createStoreService({ dataDir: paths.dataDir, engine });
  const calls = trackCalls<HostedService>(store);
  return {
    service: calls.service,
    engine,
    close: async () => {
      if (!(await calls.drain(CLOSE_GRACE_MS)))
        console.error(
          `SPV: ${calls.inFlight} request(s) still running after ${CLOSE_GRACE_MS / 1000} s; closing anyway.`,
        );
      try {
        // Inference first: a call still waiting for it fails now, rather than saving into a closed store.
        await engine.close();
      } finally {
        store.close();
      }
    },
  };
}
