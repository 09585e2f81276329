// A unix-socket proxy in front of the real Docker engine socket that tests can cut, slow down or make reset connections.
//
// API:
//   const proxy = await startEngineProxy();       // forwards to $DOCKER_HOST (unix://) or /var/run/docker.sock
//   proxy.url                                     // "unix:///tmp/.../engine.sock": docker.connection.host for serve
//   await proxy.cut()      // like an engine that stopped: open connections are dropped, the socket file is gone
//                          // (new connections fail with ENOENT) until restore()
//   await proxy.restore()  // listens again and forwards normally (no delay, no resets)
//   proxy.resetNew(true)   // new connections are accepted and closed at once (a reset); open ones keep working
//   proxy.delay(ms)        // each new connection waits `ms` before it reaches the engine (a slow engine); 0 = off
//   proxy.open             // sockets currently open (client and engine sides)
//   await proxy.close()    // stops everything (call it in t.after)
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineProxy {
  readonly path: string;
  readonly url: string;
  readonly open: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  resetNew(on: boolean): void;
  delay(ms: number): void;
  close(): Promise<void>;
}

function engineSocket(): string {
  const host = process.env.DOCKER_HOST ?? '';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export async function startEngineProxy(target = engineSocket()): Promise<EngineProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-proxy-'));
  const path = join(dir, 'engine.sock');
  const sockets = new Set<Socket>();
  let reset = false;
  let delayMs = 0;
  let server: Server | undefined;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const forward = (client: Socket): void => {
    track(client);
    if (reset) {
      client.destroy();
      return;
    }
    client.pause();
    const connect = (): void => {
      if (client.destroyed) return;
      // Half-open both ways, as the engine itself is: a client that ends its stdin (an attach's write side) still
      // gets the rest of the output, and a side that closes cleanly ends the other only after its data is through.
      const upstream = createConnection({ path: target, allowHalfOpen: true });
      track(upstream);
      upstream.on('close', (hadError) => (hadError ? client.destroy() : client.end()));
      client.on('close', (hadError) => (hadError ? upstream.destroy() : upstream.end()));
      upstream.on('connect', () => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    if (delayMs > 0) setTimeout(connect, delayMs);
    else connect();
  };
  const listen = (): Promise<void> => new Promise((resolve, reject) => {
    const s = createServer({ allowHalfOpen: true }, forward);
    s.once('error', reject);
    s.listen(path, () => {
      server = s;
      resolve();
    });
  });
  const stopListening = (): Promise<void> => new Promise((resolve) => {
    const s = server;
    server = undefined;
    if (s === undefined) return resolve();
    s.close(() => resolve()); // Node removes the socket file: new connections get ENOENT, as when dockerd is stopped
    for (const socket of sockets) socket.destroy();
  });

  await listen();
  return {
    path,
    url: `unix://${path}`,
    get open() {
      return [...sockets].length;
    },
    cut: stopListening,
    restore: async () => {
      reset = false;
      delayMs = 0;
      if (server === undefined) await listen();
    },
    resetNew: (on) => {
      reset = on;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    close: async () => {
      await stopListening();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
