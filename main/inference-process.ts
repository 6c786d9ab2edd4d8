/**
 * The inference utility process (Electron `utilityProcess.fork`): owns the onnxruntime-node
 * sessions so that a blocking run() never freezes the UI and a native crash takes down only this
 * process, which the main process restarts (DESIGN §3). argv[2] is the models folder; argv[3],
 * when given, the providers to try in order, comma-separated (`cpu` after a GPU provider crashed).
 */
import { isSpvError } from '../src/api/errors';
import { loadManifest, OnnxInference, openModelSessions } from '../src/inference';
import type { Inference } from '../src/inference/types';
import type { InferenceReply, InferenceRequest, InferenceResult } from './inference-protocol';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function errorOf(err: unknown): { code: string | null; message: string } {
  return {
    code: isSpvError(err) ? err.code : null,
    message: err instanceof Error ? err.message : String(err),
  };
}

async function answer(inference: Inference, req: InferenceRequest): Promise<InferenceResult> {
  switch (req.op) {
    case 'info':
      return inference.info();
    case 'segment':
      return inference.segment(req.image, req.size);
    case 'encode':
      return inference.encode(req.mode, req.grid, req.batch);
    case 'head':
      return inference.head(req.mode, req.z, req.batch);
    case 'decode':
      return inference.decode(req.mode, req.z, req.batch);
  }
}

async function main(): Promise<void> {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (!port) throw new Error('inference-process runs only as an Electron utility process');
  const modelsDir = process.argv[2];
  const providers = process.argv[3]?.split(',').filter((name) => name !== '');
  const send = (reply: InferenceReply) => port.postMessage(reply);
  let inference: Inference;
  try {
    inference = await OnnxInference.create(await loadManifest(modelsDir), modelsDir, {
      preferredProviders: providers,
      // Said before each attempt: a native crash while a GPU provider opens leaves no other trace.
      openSessions: (manifest, dir, provider, threads) => {
        send({ id: 0, opening: provider });
        return openModelSessions(manifest, dir, provider, threads);
      },
    });
  } catch (err) {
    send({ id: 0, ok: false, ready: false, error: errorOf(err) });
    return;
  }
  // The info as last sent: a reply carries it again only when it changed (a provider replaced).
  const readyInfo = await inference.info();
  let infoSent = JSON.stringify(readyInfo);
  const changedInfo = async () => {
    const info = await inference.info();
    const now = JSON.stringify(info);
    if (now === infoSent) return {};
    infoSent = now;
    return { info };
  };
  port.on('message', (e) => {
    const req = e.data as InferenceRequest;
    answer(inference, req).then(
      async (result) => send({ id: req.id, ok: true, result, ...(await changedInfo()) }),
      async (err: unknown) =>
        send({ id: req.id, ok: false, error: errorOf(err), ...(await changedInfo()) }),
    );
  });
  send({ id: 0, ok: true, ready: true, info: readyInfo });
}

void main();
