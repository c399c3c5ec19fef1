/**
 * A small typed request/reply protocol over `postMessage` (page <-> worker, webview <-> extension).
 *
 * One protocol is declared once as a {@link ProtocolSpec} (request names -> [request, response], plus which of
 * them stream chunks, report progress, and which events flow back). Both sides import the spec type-only and use
 * {@link RpcClient} / {@link RpcServer} over any {@link Endpoint} (a `Worker`, the worker's global scope, a
 * `MessagePort`). The wire shape follows web-llm's `message.ts` and Continue's `core/protocol`:
 * replies are matched by id, errors travel as data (never as thrown objects), streams are chunks ending with
 * `done`, and progress is its own message kind.
 */

/** An error as it crosses the channel: a machine-readable code, a message, and plain-data details. */
export interface WireError {
  code: string;
  message: string;
  detail?: Record<string, string | number | boolean | undefined>;
}

/** Turns anything thrown into wire data: Errors keep name and message under code `internal`. */
export function defaultErrorToWire(error: unknown): WireError {
  if (typeof error === 'object' && error !== null && 'toWire' in error && typeof error.toWire === 'function') {
    return (error as { toWire(): WireError }).toWire();
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { code: 'internal', message: e.message, detail: { name: e.name } };
}

/** The error a client rejects with when no reviver is given. */
export class RemoteError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = 'RemoteError';
  }
}

/** The type map of one protocol. */
export interface ProtocolSpec {
  /** `area/verb` name -> [request payload, response payload]. */
  requests: Record<string, [unknown, unknown]>;
  /** Names of streaming requests -> the type of each chunk; the stream ends with `done` carrying the response. */
  chunks: Record<string, unknown>;
  /** Names of requests that report progress -> the progress payload. */
  progress: Record<string, unknown>;
  /** Server -> client notifications that answer no request: `area/event` name -> payload. */
  events: Record<string, unknown>;
}

type Req<P extends ProtocolSpec, K extends keyof P['requests']> = P['requests'][K][0];
type Res<P extends ProtocolSpec, K extends keyof P['requests']> = P['requests'][K][1];
type ChunkOf<P extends ProtocolSpec, K> = K extends keyof P['chunks'] ? P['chunks'][K] : never;
type ProgressOf<P extends ProtocolSpec, K> = K extends keyof P['progress'] ? P['progress'][K] : never;

/** Identifies Liuhen's messages among whatever else crosses the same channel. */
export const PROTOCOL_TAG = 'liuhen/1';

/** Client -> server messages. */
export type ClientMessage =
  | { tag: typeof PROTOCOL_TAG; kind: 'request'; id: string; name: string; payload: unknown }
  /** Asks the server to abort request `id` (the client's AbortSignal fired). */
  | { tag: typeof PROTOCOL_TAG; kind: 'cancel'; id: string };

/** Server -> client messages. */
export type ServerMessage =
  | { tag: typeof PROTOCOL_TAG; kind: 'reply'; id: string; payload: unknown }
  | { tag: typeof PROTOCOL_TAG; kind: 'chunk'; id: string; payload: unknown }
  | { tag: typeof PROTOCOL_TAG; kind: 'done'; id: string; payload: unknown }
  | { tag: typeof PROTOCOL_TAG; kind: 'progress'; id: string; payload: unknown }
  | { tag: typeof PROTOCOL_TAG; kind: 'error'; id: string; error: WireError }
  | { tag: typeof PROTOCOL_TAG; kind: 'event'; name: string; payload: unknown };

/** Anything that can post and receive messages: a Worker, a worker global scope, a MessagePort. */
export interface Endpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

function isTagged(data: unknown): data is { tag: string; kind: string } {
  return typeof data === 'object' && data !== null && (data as { tag?: unknown }).tag === PROTOCOL_TAG;
}

function startIfPort(endpoint: Endpoint): void {
  const maybePort = endpoint as Partial<MessagePort>;
  if (typeof maybePort.start === 'function') maybePort.start();
}

/** Options of one client call. */
export interface CallOptions<TProgress> {
  /** Aborting sends `cancel`; the server decides how the call ends (a stream ends with its `done`). */
  signal?: AbortSignal;
  onProgress?: (progress: TProgress) => void;
}

interface Pending {
  onChunk?: (chunk: unknown) => void;
  onProgress?: (progress: unknown) => void;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

let idCounter = 0;
function nextId(): string {
  idCounter += 1;
  return `${Date.now().toString(36)}-${idCounter.toString(36)}`;
}

/** The calling side of a protocol. */
export class RpcClient<P extends ProtocolSpec> {
  private readonly pending = new Map<string, Pending>();
  private readonly eventHandlers = new Map<string, Set<(payload: unknown) => void>>();
  private closedWith: Error | undefined;
  private readonly listener = (event: MessageEvent): void => this.onMessage(event.data);

  /**
   * @param reviveError rebuilds a typed error from wire data (e.g. `EngineError.fromWire`).
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly reviveError: (wire: WireError) => Error = (wire) => new RemoteError(wire),
  ) {
    endpoint.addEventListener('message', this.listener);
    startIfPort(endpoint);
  }

  /** Sends a request and resolves with its reply; rejects with the error rebuilt from its wire data. */
  request<K extends keyof P['requests'] & string>(
    name: K,
    payload: Req<P, K>,
    options: CallOptions<ProgressOf<P, K>> = {},
  ): Promise<Res<P, K>> {
    return new Promise<Res<P, K>>((resolve, reject) => {
      this.send(name, payload, options.signal, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress as ((p: unknown) => void) | undefined,
      });
    });
  }

  /**
   * Sends a streaming request. Yields each chunk; the generator's return value is the `done` payload.
   * Breaking out of the loop early cancels the request on the server.
   */
  async *stream<K extends keyof P['requests'] & keyof P['chunks'] & string>(
    name: K,
    payload: Req<P, K>,
    options: CallOptions<ProgressOf<P, K>> = {},
  ): AsyncGenerator<ChunkOf<P, K>, Res<P, K>, void> {
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    let finished: { ok: true; value: unknown } | { ok: false; error: Error } | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const id = this.send(name, payload, options.signal, {
      onChunk: (chunk) => {
        queue.push(chunk);
        notify();
      },
      onProgress: options.onProgress as ((p: unknown) => void) | undefined,
      resolve: (value) => {
        finished = { ok: true, value };
        notify();
      },
      reject: (error) => {
        finished = { ok: false, error };
        notify();
      },
    });
    let completed = false;
    try {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift() as ChunkOf<P, K>;
          continue;
        }
        if (finished) {
          completed = true;
          if (finished.ok) return finished.value as Res<P, K>;
          throw finished.error;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      if (!completed && this.pending.has(id)) {
        // The consumer stopped early: tell the server, forget the request.
        this.post({ tag: PROTOCOL_TAG, kind: 'cancel', id });
        this.pending.delete(id);
      }
    }
  }

  /** Subscribes to a server event; returns an unsubscribe function. */
  on<K extends keyof P['events'] & string>(name: K, handler: (payload: P['events'][K]) => void): () => void {
    let set = this.eventHandlers.get(name);
    if (!set) {
      set = new Set();
      this.eventHandlers.set(name, set);
    }
    const h = handler as (payload: unknown) => void;
    set.add(h);
    return () => set.delete(h);
  }

  /** Number of requests still waiting for their end (for tests and diagnostics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Fails every pending request with `error` and refuses new ones (the worker died or was terminated).
   */
  close(error: Error): void {
    this.closedWith = error;
    this.endpoint.removeEventListener('message', this.listener);
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }

  private send(name: string, payload: unknown, signal: AbortSignal | undefined, pending: Pending): string {
    const id = nextId();
    if (this.closedWith) {
      pending.reject(this.closedWith);
      return id;
    }
    this.pending.set(id, pending);
    if (signal) {
      const onAbort = (): void => {
        if (this.pending.has(id)) this.post({ tag: PROTOCOL_TAG, kind: 'cancel', id });
      };
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    this.post({ tag: PROTOCOL_TAG, kind: 'request', id, name, payload });
    return id;
  }

  private post(message: ClientMessage): void {
    this.endpoint.postMessage(message);
  }

  private onMessage(data: unknown): void {
    if (!isTagged(data)) return;
    const msg = data as ServerMessage;
    if (msg.kind === 'event') {
      for (const h of this.eventHandlers.get(msg.name) ?? []) h(msg.payload);
      return;
    }
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    switch (msg.kind) {
      case 'chunk':
        pending.onChunk?.(msg.payload);
        return;
      case 'progress':
        pending.onProgress?.(msg.payload);
        return;
      case 'reply':
      case 'done':
        this.pending.delete(msg.id);
        pending.resolve(msg.payload);
        return;
      case 'error':
        this.pending.delete(msg.id);
        pending.reject(this.reviveError(msg.error));
        return;
    }
  }
}

/** What a server handler gets besides the payload. */
export interface HandlerContext<TChunk, TProgress> {
  /** Aborted when the client cancels this request. */
  signal: AbortSignal;
  /** Sends one chunk of a streaming request. */
  chunk(chunk: TChunk): void;
  /** Reports progress of this request. */
  progress(progress: TProgress): void;
}

type Handler<P extends ProtocolSpec, K extends keyof P['requests']> = (
  payload: Req<P, K>,
  context: HandlerContext<ChunkOf<P, K>, ProgressOf<P, K>>,
) => Promise<Res<P, K>> | Res<P, K>;

/** The answering side of a protocol. Handlers throw; the server turns what they throw into error data. */
export class RpcServer<P extends ProtocolSpec> {
  private readonly handlers = new Map<string, { fn: Handler<P, string>; streaming: boolean }>();
  private readonly running = new Map<string, AbortController>();
  private readonly listener = (event: MessageEvent): void => this.onMessage(event.data);

  /**
   * @param toWire maps anything a handler throws to wire data (default: {@link defaultErrorToWire}).
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly toWire: (error: unknown) => WireError = defaultErrorToWire,
  ) {
    endpoint.addEventListener('message', this.listener);
    startIfPort(endpoint);
  }

  /** Registers the handler of a one-shot request. */
  handle<K extends Exclude<keyof P['requests'] & string, keyof P['chunks']>>(name: K, fn: Handler<P, K>): this {
    this.handlers.set(name, { fn: fn as unknown as Handler<P, string>, streaming: false });
    return this;
  }

  /** Registers the handler of a streaming request: it sends chunks through the context, returns the `done`. */
  handleStream<K extends keyof P['requests'] & keyof P['chunks'] & string>(name: K, fn: Handler<P, K>): this {
    this.handlers.set(name, { fn: fn as unknown as Handler<P, string>, streaming: true });
    return this;
  }

  /** Sends an event to the client. */
  emit<K extends keyof P['events'] & string>(name: K, payload: P['events'][K]): void {
    this.post({ tag: PROTOCOL_TAG, kind: 'event', name, payload });
  }

  /** Stops listening. */
  dispose(): void {
    this.endpoint.removeEventListener('message', this.listener);
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  private post(message: ServerMessage): void {
    this.endpoint.postMessage(message);
  }

  private onMessage(data: unknown): void {
    if (!isTagged(data)) return;
    const msg = data as ClientMessage;
    if (msg.kind === 'cancel') {
      this.running.get(msg.id)?.abort();
      return;
    }
    if (msg.kind === 'request') void this.run(msg.id, msg.name, msg.payload);
  }

  private async run(id: string, name: string, payload: unknown): Promise<void> {
    const entry = this.handlers.get(name);
    if (!entry) {
      this.post({
        tag: PROTOCOL_TAG,
        kind: 'error',
        id,
        error: { code: 'internal', message: `unknown request "${name}"` },
      });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const context: HandlerContext<unknown, unknown> = {
      signal: controller.signal,
      chunk: (chunk) => this.post({ tag: PROTOCOL_TAG, kind: 'chunk', id, payload: chunk }),
      progress: (progress) => this.post({ tag: PROTOCOL_TAG, kind: 'progress', id, payload: progress }),
    };
    try {
      const result = await entry.fn(payload, context);
      this.post({ tag: PROTOCOL_TAG, kind: entry.streaming ? 'done' : 'reply', id, payload: result });
    } catch (error) {
      this.post({ tag: PROTOCOL_TAG, kind: 'error', id, error: this.toWire(error) });
    } finally {
      this.running.delete(id);
    }
  }
}
