import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors';
import { PROTOCOL_TAG, RemoteError, RpcClient, RpcServer, type Endpoint, type ProtocolSpec } from './rpc';

interface TestProtocol extends ProtocolSpec {
  requests: {
    'math/add': [{ a: number; b: number }, number];
    'slow/echo': [{ text: string; ms: number }, string];
    'text/stream': [{ n: number }, { count: number }];
    'job/run': [void, string];
    'fail/engine': [void, void];
    'fail/plain': [void, void];
  };
  chunks: { 'text/stream': { i: number } };
  progress: { 'job/run': { pct: number } };
  events: { 'sys/ping': { at: number } };
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function pair(reviver = true): { client: RpcClient<TestProtocol>; server: RpcServer<TestProtocol>; cancelled: string[] } {
  const channel = new MessageChannel();
  channels.push(channel);
  const cancelled: string[] = [];
  const server = new RpcServer<TestProtocol>(channel.port2 as unknown as Endpoint);
  server
    .handle('math/add', ({ a, b }) => a + b)
    .handle('slow/echo', ({ text, ms }) => new Promise((r) => setTimeout(() => r(text), ms)))
    .handleStream('text/stream', async ({ n }, ctx) => {
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (ctx.signal.aborted) {
          cancelled.push('text/stream');
          break;
        }
        ctx.chunk({ i });
        count += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
      return { count };
    })
    .handle('job/run', async (_p, ctx) => {
      for (const pct of [10, 50, 100]) ctx.progress({ pct });
      return 'ok';
    })
    .handle('fail/engine', () => {
      throw new EngineError('quota', { usageBytes: 1, quotaBytes: 2 });
    })
    .handle('fail/plain', () => {
      throw new RangeError('boom');
    });
  const client = reviver
    ? new RpcClient<TestProtocol>(channel.port1 as unknown as Endpoint, (w) => EngineError.fromWire(w))
    : new RpcClient<TestProtocol>(channel.port1 as unknown as Endpoint);
  return { client, server, cancelled };
}

describe('typed rpc over postMessage', () => {
  it('matches replies to requests by id, whatever the order of answers', async () => {
    const { client } = pair();
    const slow = client.request('slow/echo', { text: 'slow', ms: 30 });
    const fast = client.request('slow/echo', { text: 'fast', ms: 1 });
    const sum = client.request('math/add', { a: 2, b: 3 });
    expect(await Promise.all([slow, fast, sum])).toEqual(['slow', 'fast', 5]);
    expect(client.pendingCount).toBe(0);
  });

  it('streams chunks and ends with done carrying the result', async () => {
    const { client } = pair();
    const stream = client.stream('text/stream', { n: 3 });
    const seen: number[] = [];
    let step = await stream.next();
    while (!step.done) {
      seen.push(step.value.i);
      step = await stream.next();
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(step.value).toEqual({ count: 3 });
  });

  it('delivers progress as its own message kind', async () => {
    const { client } = pair();
    const seen: number[] = [];
    expect(await client.request('job/run', undefined, { onProgress: (p) => seen.push(p.pct) })).toBe('ok');
    expect(seen).toEqual([10, 50, 100]);
  });

  it('carries errors as data and rebuilds typed errors on the client', async () => {
    const { client } = pair();
    const error = await client.request('fail/engine', undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('quota');
    expect((error as EngineError).detail.quotaBytes).toBe(2);
    const plain = await client.request('fail/plain', undefined).catch((e: unknown) => e);
    expect((plain as EngineError).code).toBe('internal');
    expect((plain as EngineError).detail.cause).toContain('boom');
  });

  it('without a reviver, errors arrive as RemoteError with the wire data', async () => {
    const { client } = pair(false);
    const error = await client.request('fail/engine', undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).wire.code).toBe('quota');
  });

  it('an AbortSignal sends cancel and the server handler sees its signal aborted', async () => {
    const { client, cancelled } = pair();
    const controller = new AbortController();
    const stream = client.stream('text/stream', { n: 1000 }, { signal: controller.signal });
    const first = await stream.next();
    expect(first.done).toBe(false);
    controller.abort();
    let step = await stream.next();
    while (!step.done) step = await stream.next();
    expect(step.value.count).toBeLessThan(1000);
    expect(cancelled).toEqual(['text/stream']);
  });

  it('an unknown request gets an error, not silence', async () => {
    const { client } = pair();
    const error = await (client as unknown as RpcClient<ProtocolSpec>).request('nope/nothing', undefined).catch((e: unknown) => e);
    expect((error as EngineError).code).toBe('internal');
  });

  it('delivers events and ignores foreign messages', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const client = new RpcClient<TestProtocol>(channel.port1 as unknown as Endpoint);
    const server = new RpcServer<TestProtocol>(channel.port2 as unknown as Endpoint);
    const got: number[] = [];
    client.on('sys/ping', (e) => got.push(e.at));
    channel.port2.postMessage({ kind: 'return', uuid: 'x', content: 1 }); // a WebLLM-style message: ignored
    channel.port2.postMessage({ tag: PROTOCOL_TAG, kind: 'reply', id: 'unknown', payload: 1 }); // no such request
    server.emit('sys/ping', { at: 42 });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([42]);
  });

  it('close() fails pending and later requests with the given error', async () => {
    const { client } = pair();
    const pending = client.request('slow/echo', { text: 'x', ms: 50 });
    client.close(new EngineError('internal', { cause: 'worker died' }));
    await expect(pending).rejects.toMatchObject({ code: 'internal' });
    await expect(client.request('math/add', { a: 1, b: 1 })).rejects.toMatchObject({ code: 'internal' });
  });
});
