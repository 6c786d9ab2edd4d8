/**
 * A synchronous runner for a tiny graph (the RVAE head) over onnxruntime-node's native session.
 *
 * Why: `ort.InferenceSession.run` in onnxruntime-node 1.23 defers every call to the next turn of
 * the event loop (`setImmediate`) and then runs it synchronously on the JavaScript thread anyway,
 * after re-checking the feeds. For the U-Net (milliseconds) that is nothing; for the head — 65
 * latent rows through a 32→128→128→1 MLP, about 15 µs of arithmetic — it was a third of the call
 * (measured on the 2-core machine: 29.6 µs through the wrapper, 22.7 µs straight through the
 * native session, 3.6 µs of it the `setImmediate` alone). The native session is the very object the
 * wrapper holds, loaded from the same file with the same options, so the results are identical
 * (test/integration/inference-sessions.test.ts); it blocks the thread no longer than the wrapper's
 * call does.
 *
 * The native binding is not onnxruntime-node's public API (package.json pins ~1.23.2). An upgrade
 * that moves `dist/binding` fails at once, when this module loads, in every test and every host.
 * One that keeps the file but changes the session object makes `openDirectRunner` return null, the
 * caller keeps the public session, and test/integration/inference-sessions.test.ts (which pins that
 * the installed version takes the direct path) fails rather than the app silently slowing down.
 */
import * as ort from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding';

export interface DirectRunner {
  /** Run the graph now, on this thread. Feeds and outputs as `ort.InferenceSession.run`'s. */
  run(feeds: Record<string, ort.Tensor>): Record<string, ort.OnnxValue>;
  dispose(): void;
}

/** The native session for `path`, or null when this onnxruntime-node has no usable binding. */
export function openDirectRunner(
  path: string,
  options: ort.InferenceSession.SessionOptions,
): DirectRunner | null {
  if (typeof binding?.InferenceSession !== 'function' || typeof initOrt !== 'function') return null;
  initOrt(); // idempotent; the public session opened before this has already done it
  const session = new binding.InferenceSession();
  if (typeof session.run !== 'function' || typeof session.loadModel !== 'function') return null;
  session.loadModel(path, options);
  // The native run wants every output asked for by name; null lets it allocate the result.
  const fetches = Object.fromEntries(session.outputMetadata.map((m) => [m.name, null]));
  return {
    run: (feeds) => session.run(feeds, fetches, {}),
    dispose: () => session.dispose(),
  };
}
