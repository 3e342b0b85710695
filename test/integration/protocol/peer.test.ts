// Peers over real WebSockets on 127.0.0.1.
import { tensorOf } from '../../../src-main/contract/tensors';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { PROTOCOL_VERSION } from '../../../src-main/protocol/frames';
import { Peer, PeerClosedError, RemoteError, RequestTimeoutError, type PeerAuditEntry } from '../../../src-main/protocol/peer';
import { dial, listen, type Listener } from '../../../src-main/protocol/transport';

const Echo = z.strictObject({ text: z.string() });

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

/** A connected pair: the server's peer and the client's. */
async function pair(
  options: { heartbeatMs?: number; maxFrameBytes?: number; refused?: string[]; audit?: PeerAuditEntry[] } = {},
): Promise<{ server: Peer; client: Peer }> {
  let resolveServer: (peer: Peer) => void = () => undefined;
  const server = new Promise<Peer>((resolve) => (resolveServer = resolve));
  listener = await listen({ host: '127.0.0.1', port: 0, ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}) }, (socket) =>
    resolveServer(
      new Peer(socket, {
        label: 'client',
        heartbeatMs: options.heartbeatMs ?? 0,
        onRefused: (problem) => options.refused?.push(problem),
        ...(options.audit ? { audit: (entry: PeerAuditEntry) => options.audit!.push(entry) } : {}),
      }),
    ),
  );
  const client = new Peer(await dial(listener.url), { label: 'server', heartbeatMs: options.heartbeatMs ?? 0 });
  return { server: await server, client };
}

describe('requests and replies', () => {
  it('correlates concurrent requests with their replies and carries tensors both ways', async () => {
    const { server, client } = await pair();
    server.handle('echo', Echo, async ({ text }, tensors) => {
      await new Promise((resolve) => setTimeout(resolve, text.length)); // later requests may answer first
      return { body: { text: text.toUpperCase() }, tensors: { doubled: tensorOf(Float32Array.from(tensors['values']!.data, (value) => value * 2)) } };
    });
    const replies = await Promise.all(
      ['ccc', 'a', 'bb'].map((text, i) => client.request('echo', { text }, { schema: Echo, tensors: { values: tensorOf(Float32Array.from([i, i + 0.5])) } })),
    );
    expect(replies.map((reply) => reply.body.text)).toEqual(['CCC', 'A', 'BB']);
    expect(replies.map((reply) => Array.from(reply.tensors['doubled']!.data))).toEqual([[0, 1], [2, 3], [4, 5]]);
  });

  it('turns a handler error into a RemoteError with its code', async () => {
    const { server, client } = await pair();
    server.handle('fail', Echo, () => {
      throw Object.assign(new Error('no such run'), { code: 'NOT_FOUND' });
    });
    await expect(client.request('fail', { text: 'x' }, { schema: Echo })).rejects.toMatchObject({ name: 'RemoteError', code: 'NOT_FOUND', message: 'no such run' });
  });

  it('refuses invalid bodies and unknown types, and reports them', async () => {
    const refused: string[] = [];
    const { server, client } = await pair({ refused });
    server.handle('echo', Echo, ({ text }) => ({ body: { text } }));
    await expect(client.request('echo', { text: 42 }, { schema: Echo })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.request('nope', {}, { schema: Echo })).rejects.toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect(refused).toEqual([expect.stringContaining('invalid echo'), 'unknown request type "nope" (from client)']);
  });

  it('validates replies too', async () => {
    const { server, client } = await pair();
    server.handle('echo', Echo, () => ({ body: { text: 7 } }));
    await expect(client.request('echo', { text: 'x' }, { schema: Echo })).rejects.toBeInstanceOf(RemoteError);
  });

  it('times out a request the peer never answers', async () => {
    const { server, client } = await pair();
    server.handle('slow', Echo, () => new Promise(() => undefined));
    const error = await client.request('slow', { text: 'x' }, { schema: Echo, timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toBe('server did not answer slow within 0.1 s');
  });

  it('rejects pending requests when the connection closes', async () => {
    const { server, client } = await pair();
    server.handle('slow', Echo, () => new Promise(() => undefined));
    const pending = client.request('slow', { text: 'x' }, { schema: Echo });
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.terminate();
    await expect(pending).rejects.toBeInstanceOf(PeerClosedError);
  });

  it('survives garbage frames and keeps answering', async () => {
    const refused: string[] = [];
    let resolveServer: (peer: Peer) => void = () => undefined;
    const serverPeer = new Promise<Peer>((resolve) => (resolveServer = resolve));
    listener = await listen({ host: '127.0.0.1', port: 0 }, (socket) =>
      resolveServer(new Peer(socket, { label: 'raw', heartbeatMs: 0, onRefused: (problem) => refused.push(problem) })),
    );
    const raw: WebSocket = await dial(listener.url);
    raw.resume(); // dial() hands sockets over paused, for a Peer to resume
    const server = await serverPeer;
    server.handle('echo', Echo, ({ text }) => ({ body: { text } }));
    raw.send('{"not": "an envelope"}');
    raw.send(Buffer.from([1, 2, 3]));
    raw.send(JSON.stringify({ v: PROTOCOL_VERSION, t: 'echo', id: 'q0', b: { text: 'x' }, x: [{ name: 'w', dtype: 'float32', shape: [2] }] })); // announces a tensor...
    raw.send(Buffer.from('garbage')); // ...that is 7 bytes, not 8
    const reply = await new Promise<string>((resolve) => {
      raw.once('message', (data) => resolve(String(data)));
      raw.send(JSON.stringify({ v: PROTOCOL_VERSION, t: 'echo', id: 'q1', b: { text: 'still here' } }));
    });
    expect(JSON.parse(reply)).toEqual({ v: PROTOCOL_VERSION, t: 'reply', re: 'q1', b: { text: 'still here' } });
    expect(refused).toEqual([
      expect.stringContaining('not a valid envelope'),
      'a binary frame arrived without an envelope announcing it (from raw)',
      'the "w" tensor frame holds 7 bytes, but its envelope announced float32[2] (8 bytes) (from raw)',
    ]);
    raw.close();
  });

  it('cuts a connection that sends a frame over the size limit', async () => {
    const { client, server } = await pair({ maxFrameBytes: 64 * 1024 });
    server.handle('echo', Echo, ({ text }) => ({ body: { text } }));
    const big = client.request('echo', { text: 'x' }, { schema: Echo, tensors: { big: tensorOf(new Float32Array(32 * 1024)) } });
    await expect(big).rejects.toBeInstanceOf(PeerClosedError);
    expect((await client.closed).code).toBe(1009); // the server answered "message too big"
  });
});

describe('the audit trail', () => {
  const Job = z.strictObject({ run: z.string(), text: z.string() });
  const envelopeBytes = (body: unknown, id: string, t = 'job') => Buffer.byteLength(JSON.stringify({ v: PROTOCOL_VERSION, t, id, b: body }));

  it('records a request when it arrives, not when its handler is done, and its reply with the run it answers', async () => {
    const audit: PeerAuditEntry[] = [];
    const { server, client } = await pair({ audit });
    let decide: (answer: string) => void = () => undefined;
    const decided = new Promise<string>((resolve) => (decide = resolve));
    // Like a consent request: the answer waits for a person.
    server.handle('job', Job, async () => ({ body: { answer: await decided } }));
    const body = { run: 'r-7', text: 'may I?' };
    const pending = client.request('job', body, { schema: z.strictObject({ answer: z.string() }) });
    await expect.poll(() => audit.length).toBe(1);
    expect(audit).toEqual([{ direction: 'inbound', peer: 'client', what: 'job', bytes: expect.any(Number), outcome: 'accepted', run: 'r-7' }]);
    expect(audit[0]!.bytes).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(body)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(audit).toHaveLength(1); // nothing more while the person thinks

    decide('yes');
    await expect(pending).resolves.toMatchObject({ body: { answer: 'yes' } });
    // One entry per message: the request once, its reply once (the reply's body names no run).
    expect(audit).toEqual([
      expect.objectContaining({ direction: 'inbound', what: 'job', outcome: 'accepted', run: 'r-7' }),
      { direction: 'outbound', peer: 'client', what: 'reply to job', bytes: expect.any(Number), outcome: 'sent', run: 'r-7' },
    ]);
  });

  it('records a failed request once, as accepted, and its error reply with the run and the reason', async () => {
    const audit: PeerAuditEntry[] = [];
    const { server, client } = await pair({ audit });
    server.handle('job', Job, () => {
      throw Object.assign(new Error('no such run'), { code: 'NOT_FOUND' });
    });
    await expect(client.request('job', { run: 'r-8', text: 'x' }, { schema: Job })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(audit).toEqual([
      expect.objectContaining({ direction: 'inbound', what: 'job', outcome: 'accepted', run: 'r-8' }),
      expect.objectContaining({ direction: 'outbound', what: 'error reply to job', outcome: 'sent', run: 'r-8', reason: 'NOT_FOUND: no such run' }),
    ]);
  });

  it('records an invalid request once, as refused, never as accepted', async () => {
    const audit: PeerAuditEntry[] = [];
    const { server, client } = await pair({ audit });
    server.handle('job', Job, () => ({ body: {} }));
    await expect(client.request('job', { run: 'r-9', text: 42 }, { schema: Job })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(audit).toEqual([
      expect.objectContaining({ direction: 'inbound', what: 'job', outcome: 'refused', run: 'r-9', reason: expect.stringContaining('invalid job') }),
      expect.objectContaining({ direction: 'outbound', what: 'error reply to job', outcome: 'sent', run: 'r-9' }),
    ]);
    expect(audit[0]!.bytes).toBeGreaterThan(0);
  });

  it('records refused frames with the bytes they took', async () => {
    const audit: PeerAuditEntry[] = [];
    let resolveServer: (peer: Peer) => void = () => undefined;
    const serverPeer = new Promise<Peer>((resolve) => (resolveServer = resolve));
    listener = await listen({ host: '127.0.0.1', port: 0 }, (socket) =>
      resolveServer(new Peer(socket, { label: 'raw', heartbeatMs: 0, audit: (entry) => audit.push(entry) })),
    );
    const raw: WebSocket = await dial(listener.url);
    raw.resume();
    const server = await serverPeer;
    server.handle('echo', Echo, ({ text }) => ({ body: { text } }));
    const garbage = '{"not": "an envelope"}';
    raw.send(garbage);
    raw.send(Buffer.from([1, 2, 3]));
    // An envelope announcing two tensors, one good tensor, then one of the wrong size: the whole message goes.
    const announcing = JSON.stringify({ v: PROTOCOL_VERSION, t: 'echo', id: 'q0', b: { text: 'x' }, x: [{ name: 'a', dtype: 'float32', shape: [2] }, { name: 'b', dtype: 'float32', shape: [2] }] });
    raw.send(announcing);
    raw.send(Buffer.alloc(8));
    raw.send(Buffer.from('garbage'));
    // An envelope announcing a tensor, cut short by the next envelope: the first message goes.
    const cut = JSON.stringify({ v: PROTOCOL_VERSION, t: 'echo', id: 'q1', b: { text: 'x' }, x: [{ name: 'a', dtype: 'float32', shape: [4] }] });
    raw.send(cut);
    await new Promise<string>((resolve) => {
      raw.once('message', (data) => resolve(String(data)));
      raw.send(JSON.stringify({ v: PROTOCOL_VERSION, t: 'echo', id: 'q2', b: { text: 'still here' } }));
    });
    const refusedFrames = audit.filter((entry) => entry.outcome === 'refused');
    expect(refusedFrames.map((entry) => [entry.what, entry.bytes])).toEqual([
      ['frame', Buffer.byteLength(garbage)],
      ['frame', 3],
      ['frame', Buffer.byteLength(announcing) + 8 + 7],
      ['frame', Buffer.byteLength(cut)],
    ]);
    expect(audit.filter((entry) => entry.outcome === 'accepted')).toEqual([expect.objectContaining({ what: 'echo', bytes: envelopeBytes({ text: 'still here' }, 'q2', 'echo') })]);
    raw.close();
  });
});

describe('heartbeats', () => {
  it('detect a peer that stops answering within two intervals', async () => {
    const { server, client } = await pair({ heartbeatMs: 200 });
    // Freeze the client side: its socket stops reading, so pongs stop (as with a dead host).
    (client as unknown as { socket: { _socket: { pause(): void } } }).socket._socket.pause();
    const started = Date.now();
    const closed = await server.closed;
    expect(closed.dead).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keep a healthy connection open', async () => {
    const { server } = await pair({ heartbeatMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.isOpen).toBe(true);
  });
});

describe('dialling a peer that speaks first', () => {
  it('loses no frame sent together with the upgrade response', async () => {
    // The listening side greets at once, as a participant in listen mode does.
    listener = await listen({ host: '127.0.0.1', port: 0 }, (socket) => {
      const peer = new Peer(socket, { label: 'dialler', heartbeatMs: 0 });
      void peer.notify('greeting', { text: 'first words' });
    });
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const socket = await dial(listener.url);
      await new Promise((resolve) => setTimeout(resolve, attempt % 2 ? 0 : 20)); // late or not, nothing is lost
      const peer = new Peer(socket, { label: 'listener', heartbeatMs: 0 });
      const heard = await new Promise<string>((resolve) => peer.on('greeting', Echo, ({ text }) => resolve(text)));
      expect(heard).toBe('first words');
      peer.close();
    }
  });
});
