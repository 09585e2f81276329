// The DockerEngine adapter over dockerode: the only module of cssh that imports dockerode.
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { linkedSignal } from '../../../core/retry.js';
import type {
  ContainerCreateSpec, ContainerDetails, DockerEngine, EngineVersion, ExecSpec, ImagePresence, LabelledContainer,
  PathStat, ProcessState, RegistryCredentials, TtySize,
} from './docker-engine.js';
import { execCreateBody, statusOf } from './docker-engine.js';
import type { DockerEndpoint } from './docker-endpoint.js';

/**
 * Runs `fn` with a signal that follows `signal` only until `fn` settles, so long-lived hijacked streams are not
 * torn down when the deadline of the call that opened them passes later.
 */
async function scoped<T>(signal: AbortSignal, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
  const local = new AbortController();
  const onAbort = (): void => local.abort(signal.reason);
  if (signal.aborted) throw signal.reason;
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(local.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Go's os.ModeDir bit, as Docker reports file modes. */
const GO_MODE_DIR = 2 ** 31;

/** Dockerode/docker-modem options for an endpoint. Every key is given so modem's own DOCKER_HOST defaults never leak in. */
function modemOptions(endpoint: DockerEndpoint): Dockerode.DockerOptions {
  const options: Record<string, unknown> = {
    socketPath: endpoint.socketPath,
    host: endpoint.hostname,
    port: endpoint.port,
    protocol: endpoint.protocol ?? 'http',
    ca: undefined,
    cert: undefined,
    key: undefined,
    pathPrefix: '/',
    timeout: undefined,
  };
  if (endpoint.tls !== undefined) {
    options.agent = new HttpsAgent({
      ca: endpoint.tls.ca,
      cert: endpoint.tls.cert,
      key: endpoint.tls.key,
      rejectUnauthorized: endpoint.tls.verify,
      minVersion: 'TLSv1.2',
    });
  }
  return options;
}

/**
 * A DockerEngine for `endpoint`. With `apiVersion` every request speaks that Engine API version ("/v1.43/...");
 * without, requests are unversioned (the version probe that negotiates it; list and remove). Holds no open
 * connection. dockerode is loaded on first use, so commands that never reach an engine do not pay for it.
 */
export async function dockerodeEngine(endpoint: DockerEndpoint, apiVersion?: string): Promise<DockerEngine> {
  const { default: DockerodeClass } = await import('dockerode');
  const options = modemOptions(endpoint);
  return new DockerodeEngine(new DockerodeClass(apiVersion === undefined ? options : { ...options, version: `v${apiVersion}` }), endpoint.url, apiVersion ?? '');
}

class DockerodeEngine implements DockerEngine {
  constructor(private readonly docker: Dockerode, readonly endpoint: string, readonly apiVersion: string) {}

  /**
   * Docker's answer to a plain JSON request, or a docker-modem error (with statusCode) for any non-2xx status.
   * docker-modem never removes the abort listener it adds, so each call gets its own child of `signal`.
   */
  private dialJson(method: 'GET' | 'POST' | 'DELETE', path: string, signal: AbortSignal): Promise<unknown> {
    const link = linkedSignal(signal);
    return new Promise<unknown>((resolve, reject) => {
      this.docker.modem.dial(
        { path, method, abortSignal: link.signal, statusCodes: { 200: true, 201: true, 204: true, 404: 'not found', 500: 'server error' } },
        (error, data) => (error === null ? resolve(data) : reject(error)),
      );
    }).finally(link.release);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    // dockerode's ping takes options at run time; its type declaration does not say so.
    const ping = this.docker.ping.bind(this.docker) as unknown as (opts: { abortSignal?: AbortSignal }) => Promise<unknown>;
    await ping(signal === undefined ? {} : { abortSignal: signal });
  }

  async version(signal: AbortSignal): Promise<EngineVersion> {
    const body = await this.dialJson('GET', '/version', signal);
    const record = typeof body === 'object' && body !== null && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : {};
    const api = record.ApiVersion;
    const min = record.MinAPIVersion;
    return {
      apiVersion: typeof api === 'string' && /^\d+\.\d+$/.test(api) ? api : undefined,
      minApiVersion: typeof min === 'string' && /^\d+\.\d+$/.test(min) ? min : undefined,
      raw: body,
    };
  }

  async createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string> {
    const c = await this.docker.createContainer({ ...(spec as Dockerode.ContainerCreateOptions), abortSignal: signal });
    return c.id;
  }

  async waitContainer(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.docker.getContainer(id).wait({ condition: 'not-running', abortSignal: signal } as Dockerode.ContainerWaitOptions);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async startContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.docker.getContainer(id).start({ abortSignal: signal });
  }

  /**
   * The live stream only, as `docker run` does. Asking for a log replay as well (`logs: true`) lets the replay and
   * the live stream overlap when the program writes right at start, which delivers output twice (moby/moby#29285);
   * attaching before start loses nothing without it.
   */
  async attachContainer(id: string, signal: AbortSignal): Promise<Duplex> {
    return scoped(signal, async (s) => {
      const stream = await this.docker.getContainer(id).attach({
        stream: true, stdin: true, stdout: true, stderr: true, logs: false, hijack: true, abortSignal: s,
      });
      return stream as unknown as Duplex;
    });
  }

  async inspectContainer(id: string, signal: AbortSignal): Promise<ContainerDetails> {
    const info = await this.docker.getContainer(id).inspect({ abortSignal: signal } as Dockerode.ContainerInspectOptions);
    const tmpfs = [
      ...Object.keys(info.HostConfig.Tmpfs ?? {}),
      ...(info.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map((m) => m.Destination),
    ];
    return {
      running: info.State.Running, restarting: info.State.Restarting, exitCode: info.State.ExitCode,
      user: info.Config.User ?? '', workingDir: info.Config.WorkingDir || '/', env: info.Config.Env ?? [], tmpfs,
      labels: { ...(info.Config.Labels ?? {}) },
    };
  }

  async listProcesses(id: string, signal: AbortSignal): Promise<string[]> {
    try {
      const top = (await this.docker.getContainer(id).top({ abortSignal: signal })) as { Titles?: unknown; Processes?: unknown } | null;
      const titles = Array.isArray(top?.Titles) ? (top.Titles as unknown[]) : [];
      const column = Math.max(titles.indexOf('CMD'), titles.indexOf('COMMAND'));
      const rows = Array.isArray(top?.Processes) ? (top.Processes as unknown[]) : [];
      return rows.map((row) => (Array.isArray(row) && column >= 0 ? String(row[column] ?? '') : ''));
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 404) return []; // not running, or gone
      throw error;
    }
  }

  async killContainer(id: string, signalName: string, signal: AbortSignal): Promise<void> {
    await this.docker.getContainer(id).kill({ signal: signalName, abortSignal: signal });
  }

  async resizeContainer(id: string, size: TtySize, signal: AbortSignal): Promise<void> {
    await this.docker.getContainer(id).resize({ h: size.rows, w: size.cols, abortSignal: signal });
  }

  async renameContainer(id: string, name: string, signal: AbortSignal): Promise<void> {
    await this.docker.getContainer(id).rename({ name, abortSignal: signal });
  }

  async removeContainer(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true, abortSignal: signal });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async listContainers(label: string, signal: AbortSignal): Promise<LabelledContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [label] }, abortSignal: signal });
    return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {}, createdMs: c.Created * 1000, state: c.State }));
  }

  /** Docker's archive HEAD for `path` (its stat header), or undefined when the path does not exist. */
  private async archiveHead(id: string, path: string, signal: AbortSignal): Promise<(Readable & { headers?: Record<string, string | undefined> }) | undefined> {
    try {
      const answer: unknown = await this.docker.getContainer(id).infoArchive({ path, abortSignal: signal });
      const res = answer as Readable & { headers?: Record<string, string | undefined> };
      res.resume();
      return res;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async pathExists(id: string, path: string, signal: AbortSignal): Promise<boolean> {
    return (await this.archiveHead(id, path, signal)) !== undefined;
  }

  async statPath(id: string, path: string, signal: AbortSignal): Promise<PathStat | undefined> {
    const res = await this.archiveHead(id, path, signal);
    if (res === undefined) return undefined;
    const raw = res.headers?.['x-docker-container-path-stat'];
    if (raw === undefined) throw new Error(`Docker reported no file information for ${path}`);
    const stat = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { name: string; size: number; mode: number; mtime: string };
    const mtime = Math.floor(Date.parse(stat.mtime) / 1000);
    return {
      name: stat.name, size: stat.size, mode: stat.mode % 0o10000,
      isDir: Math.floor(stat.mode / GO_MODE_DIR) % 2 === 1, mtime: Number.isFinite(mtime) ? mtime : 0,
    };
  }

  async putArchive(id: string, dir: string, tar: Buffer | Readable, signal: AbortSignal): Promise<void> {
    const res = (await this.docker.getContainer(id).putArchive(tar, { path: dir, abortSignal: signal })) as unknown;
    (res as Readable | undefined)?.resume?.();
  }

  async getArchive(id: string, path: string, signal: AbortSignal): Promise<Readable> {
    return scoped(signal, async (sig) => (await this.docker.getContainer(id).getArchive({ path, abortSignal: sig })) as unknown as Readable);
  }

  async createExec(containerId: string, spec: ExecSpec, signal: AbortSignal): Promise<string> {
    const opts: Dockerode.ExecCreateOptions & { abortSignal: AbortSignal } = { ...execCreateBody(spec), abortSignal: signal };
    const exec = await this.docker.getContainer(containerId).exec(opts);
    return exec.id;
  }

  async startExec(execId: string, tty: boolean, signal: AbortSignal): Promise<Duplex> {
    return scoped(signal, async (s) => {
      const stream = await this.docker.getExec(execId).start({ hijack: true, stdin: true, Tty: tty, abortSignal: s });
      return stream;
    });
  }

  async resizeExec(execId: string, size: TtySize, signal: AbortSignal): Promise<void> {
    await this.docker.getExec(execId).resize({ h: size.rows, w: size.cols, abortSignal: signal });
  }

  async inspectExec(execId: string, signal: AbortSignal): Promise<ProcessState> {
    const info = await this.docker.getExec(execId).inspect({ abortSignal: signal } as object);
    return { running: info.Running, restarting: false, exitCode: info.ExitCode ?? -1 };
  }

  async inspectImage(name: string, signal: AbortSignal): Promise<ImagePresence> {
    let body: unknown;
    try {
      body = await this.dialJson('GET', `/images/${name}/json`, signal);
    } catch (error) {
      if (statusOf(error) === 404) return { present: false };
      throw error;
    }
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    return {
      present: true,
      id: typeof record.Id === 'string' ? record.Id : '',
      size: typeof record.Size === 'number' ? record.Size : 0,
      created: typeof record.Created === 'string' ? record.Created : '',
      repoTags: Array.isArray(record.RepoTags) ? record.RepoTags.filter((t): t is string => typeof t === 'string') : [],
    };
  }

  pullImage(repository: string, tag: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: '/images/create?',
          method: 'POST',
          options: { fromImage: repository, tag },
          ...(credentials === undefined ? {} : { authconfig: { ...credentials } }),
          abortSignal: signal,
          isStream: true,
          statusCodes: { 200: true, 400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
        },
        (error, data) => (error === null ? resolve(data as IncomingMessage) : reject(error)),
      );
    });
  }

  async distributionDigest(reference: string, credentials: RegistryCredentials | undefined, signal: AbortSignal): Promise<string> {
    const body = await new Promise<unknown>((resolve, reject) => {
      this.docker.modem.dial(
        {
          path: `/distribution/${reference}/json`,
          method: 'GET',
          ...(credentials === undefined ? {} : { authconfig: { ...credentials } }),
          abortSignal: signal,
          statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
        },
        (error, data) => (error === null ? resolve(data) : reject(error)),
      );
    });
    const descriptor = (body as { Descriptor?: { digest?: unknown } } | null)?.Descriptor;
    return typeof descriptor?.digest === 'string' ? descriptor.digest : '';
  }
}
