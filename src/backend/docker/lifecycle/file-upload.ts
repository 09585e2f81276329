// Connection mode: writes the files the auth or config server supplied into the container, as one tar upload
// (works in any image, without the agent). Failures are logged, never fatal (as ContainerSSH does).
import { posix } from 'node:path';
import type { MetadataValue } from '../../../core/contracts.js';
import type { Logger } from '../../../core/logger.js';
import { DockerCode } from '../codes.js';
import type { DockerEngine } from '../engine/docker-engine.js';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar header for a regular file; long paths use the prefix field. Throws when the path cannot fit. */
function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 155);
    prefix = path.slice(0, Math.max(cut, 0));
    name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long: ${path}`);
  }
  h.write(name, 0, 100);
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** A tar archive of absolute paths (stored relative to /) with their contents. */
export function tarOf(files: Record<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [path, data] of Object.entries(files)) {
    const rel = posix.normalize(path).replace(/^\/+/, '');
    if (rel === '' || rel.startsWith('..')) throw new Error(`not a file path: ${path}`);
    parts.push(header(rel, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Uploads every file (base64 values) into the container; logs DOCKER_FILE_WRITE_FAILED on failure. */
export async function writeFiles(
  engine: DockerEngine, id: string, files: Record<string, MetadataValue>, logger: Logger, signal: AbortSignal,
): Promise<void> {
  const paths = Object.keys(files);
  if (paths.length === 0) return;
  try {
    const archive = tarOf(Object.fromEntries(paths.map((p) => [p, Buffer.from(files[p]?.value ?? '', 'base64')])));
    await engine.putArchive(id, '/', archive, signal);
    logger.debug(DockerCode.FILE_WRITE, `Wrote ${paths.length} file(s) into the container.`, { containerId: id });
  } catch (error) {
    logger.warning(DockerCode.FILE_WRITE_FAILED, `Failed to write the files ${paths.join(', ')} into the container.`, { containerId: id, error: String(error) });
  }
}
