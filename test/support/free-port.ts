// A free TCP port on 127.0.0.1 for a server under test that needs a fixed port in its config (bound, then released).
import { createServer } from 'node:net';

/** Binds port 0, reads the port the kernel chose, and releases it for the one server under test to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
