// A minimal SOCKS5 client (no authentication, CONNECT only, RFC 1928), to drive `ssh -D` the way a program would.
import { connect, type Socket } from 'node:net';

/** Reads exactly `n` bytes from `socket` (which must be paused or have no other data listener). */
function readExactly(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (got.length < n) return;
      cleanup();
      socket.pause();
      // Bytes past the reply belong to the tunnelled stream: give them back.
      if (got.length > n) socket.unshift(got.subarray(n));
      resolve(got.subarray(0, n));
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`SOCKS proxy closed the connection after ${got.length} of ${n} reply bytes`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

/**
 * Connects to the SOCKS5 proxy on 127.0.0.1:`proxyPort` and asks it for `host`:`port` (an IPv4 address or a name);
 * resolves with the socket, paused, carrying the tunnelled stream. Rejects with the proxy's reply code on refusal.
 */
export async function socksConnect(proxyPort: number, host: string, port: number): Promise<Socket> {
  const socket = connect(proxyPort, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  try {
    socket.write(Buffer.from([5, 1, 0])); // version 5, one method: no authentication
    const method = await readExactly(socket, 2);
    if (method[0] !== 5 || method[1] !== 0) throw new Error(`SOCKS proxy refused "no authentication": ${method.toString('hex')}`);
    const ipv4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
    const address = ipv4 !== null
      ? Buffer.from([1, ...ipv4.slice(1).map(Number)])
      : Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host)]);
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16BE(port);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0]), address, portBytes]));
    const head = await readExactly(socket, 4);
    if (head[1] !== 0) throw new Error(`SOCKS proxy refused CONNECT ${host}:${port} with reply code ${head[1]}`);
    // The bound address that follows: IPv4 (4), name (length-prefixed) or IPv6 (16), then the port.
    const kind = head[3];
    const rest = kind === 1 ? 4 : kind === 4 ? 16 : (await readExactly(socket, 1))[0] ?? 0;
    await readExactly(socket, rest + 2);
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
