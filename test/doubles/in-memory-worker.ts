/**
 * Runs the engine worker core on one end of a real MessageChannel and hands the other end to the page-side
 * engine as its "worker", so tests cross a genuine structured-clone boundary (errors must travel as data).
 */
import type { Endpoint } from '../../shared/protocol/rpc';
import { serveEngine, type WorkerDeps } from '../../shared/engine/worker-server';
import type { WorkerLike } from '../../shared/engine/webllm-engine';

export interface InMemoryWorker extends WorkerLike {
  /** Simulates the worker dying (an `error` event on the Worker object). */
  crash(message: string): void;
  terminated: boolean;
}

/** Creates a worker factory; every call starts a fresh worker core with `deps()`. */
export function inMemoryWorkers(deps: () => WorkerDeps): { create: () => InMemoryWorker; created: InMemoryWorker[] } {
  const created: InMemoryWorker[] = [];
  const create = (): InMemoryWorker => {
    const channel = new MessageChannel();
    const served = serveEngine(channel.port2 as unknown as Endpoint, deps());
    const errorListeners = new Set<(event: Event) => void>();
    const worker: InMemoryWorker = {
      terminated: false,
      postMessage: (message) => channel.port1.postMessage(message),
      addEventListener: ((type: string, listener: (event: never) => void) => {
        if (type === 'message') channel.port1.addEventListener('message', listener as (e: MessageEvent) => void);
        else errorListeners.add(listener as (event: Event) => void);
        channel.port1.start();
      }) as WorkerLike['addEventListener'],
      removeEventListener: (type, listener) => channel.port1.removeEventListener(type, listener),
      terminate: () => {
        worker.terminated = true;
        served.server.dispose();
        channel.port1.close();
        channel.port2.close();
      },
      crash: (message) => {
        const event = Object.assign(new Event('error'), { message }) as Event;
        for (const l of errorListeners) l(event);
      },
    };
    created.push(worker);
    return worker;
  };
  return { create, created };
}
