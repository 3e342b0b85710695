// A running worker: the participant's engine, reachable by its hub. By default it dials out to
// the hub and reconnects with backoff whenever the connection drops; in listen mode it waits
// for the TTP to dial it. Either way, everything after the connection is the same.
import { join } from 'node:path';
import type { Log, TrainingPort, WorkerArtifactsPort } from '../../engines/ports';
import { WorkerEngine } from '../../engines/worker';
import { writePredictionsCsv } from '../../datasource/write-predictions';
import { greet, type Hello } from '../../protocol/handshake';
import { PROTOCOL_VERSION } from '../../protocol/frames';
import { Peer } from '../../protocol/peer';
import { backoffDelay, dial, listen, type Listener } from '../../protocol/transport';
import { MetadataStore } from '../../store/metadata-store';
import { silentLog } from '../log';
import { version } from '../version';
import { StoreDataPort, runDir } from './data-port';
import { ThreadTrainingPort } from './training-port';

export interface WorkerOptions {
  dataDir: string;
  party: { id: string; name: string };
  /** Dial out to these hubs (ws://host:port): one participant can serve several grids… */
  hubs?: readonly string[];
  /** …or listen here and let the TTP dial in. */
  listen?: { host: string; port: number };
  heartbeatMs?: number;
  maxFileBytes?: number;
  /** How local training runs (default: TF.js in a training thread per run). */
  training?: TrainingPort;
  log?: Log;
}

export interface WorkerNode {
  engine: WorkerEngine;
  /** Listen mode: where the TTP can dial. */
  url?: string;
  /** Resolves when the worker is first welcomed by a hub. */
  connected: Promise<void>;
  close(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<WorkerNode> {
  const log = options.log ?? silentLog;
  const store = await MetadataStore.open(options.dataDir);
  const artifacts: WorkerArtifactsPort = {
    modelDir: (run, which) => join(runDir(options.dataDir, run), `${which}-model`),
    writePredictions: (run, alignment, data, outputs) =>
      writePredictionsCsv(join(runDir(options.dataDir, run), 'predictions.csv'), alignment.target, { sourceRows: data.sourceRows, outputs }),
  };
  const engine = new WorkerEngine(options.party, {
    data: new StoreDataPort(store, options.maxFileBytes === undefined ? {} : { maxBytes: options.maxFileBytes }),
    training: options.training ?? new ThreadTrainingPort(),
    artifacts,
    log,
  });
  const hello: Hello = {
    protocol: PROTOCOL_VERSION,
    party: options.party,
    software: { name: 'cohort', version: version() },
  };
  const peerOptions = (label: string) => ({
    label,
    heartbeatMs: options.heartbeatMs ?? 2_000,
    onRefused: (problem: string) => log.warn('refused input', { from: label, problem }),
  });

  let markConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  const serveConnection = async (peer: Peer): Promise<void> => {
    // The TTP is the one to talk first after the welcome, so serve before greeting.
    engine.serve(peer);
    const welcome = await greet(peer, hello);
    log.info('connected to hub', { hub: welcome.hub.name, session: welcome.session });
    markConnected();
  };

  if (options.listen) {
    const listener: Listener = await listen({ host: options.listen.host, port: options.listen.port }, (socket, request) => {
      const peer = new Peer(socket, peerOptions(`TTP at ${request.socket.remoteAddress ?? '?'}`));
      serveConnection(peer).catch((error: Error) => {
        log.warn('handshake with the TTP failed', { reason: error.message });
        peer.close('handshake failed');
      });
    });
    log.info('listening for the TTP', { url: listener.url });
    return {
      engine,
      url: listener.url,
      connected,
      async close() {
        await listener.close();
        await engine.close();
      },
    };
  }

  const hubs = options.hubs ?? [];
  if (hubs.length === 0) throw new Error('a worker needs a hub URL or a listen address');
  const stop = new AbortController();
  const peers = new Set<Peer>();
  /** Stays connected to one hub: dial, greet, serve until the connection drops, back off, again. */
  const stayConnected = async (hubUrl: string): Promise<void> => {
    for (let attempt = 0; !stop.signal.aborted; ) {
      let peer: Peer | undefined;
      try {
        const socket = await dial(hubUrl, { timeoutMs: 5_000 });
        peer = new Peer(socket, peerOptions(`hub ${hubUrl}`));
        peers.add(peer);
        await serveConnection(peer);
        attempt = 0;
        const { reason } = await peer.closed;
        if (!stop.signal.aborted) log.warn('disconnected from hub; reconnecting', { hub: hubUrl, reason });
      } catch (error) {
        peer?.close('handshake failed');
        if (!stop.signal.aborted) log.warn('could not reach the hub; retrying', { hub: hubUrl, reason: (error as Error).message });
      } finally {
        if (peer) peers.delete(peer);
      }
      if (stop.signal.aborted) break;
      await sleep(backoffDelay(attempt++), stop.signal);
    }
  };
  const loops = Promise.all(hubs.map(stayConnected));

  return {
    engine,
    connected,
    async close() {
      stop.abort();
      for (const peer of peers) peer.close('worker stopping');
      await loops;
      await engine.close();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
