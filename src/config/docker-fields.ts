// The Docker Engine API field names cssh knows for the pass-through blocks (container, host, network, platform),
// and the normaliser that maps any spelling (ContainerSSH's lowercase YAML keys, camelCase, API names) to them.
import { configError, configWarning, type ConfigIssue } from './issues.js';
import { didYouMean } from './suggest.js';

/**
 * true: keep the value as is; 'string': a Go string field (a YAML scalar such as `user: 1000` becomes "1000", as Go's
 * YAML decoder does, instead of a number Docker rejects); 'strings': a list of strings; 'stringMap': a map of strings;
 * fields: an object of known keys; items: a list of such; values: a map of user keys.
 */
export type FieldSpec = true | 'string' | 'strings' | 'stringMap' | { fields: FieldTable } | { items: FieldSpec } | { values: FieldSpec };
export type FieldTable = Record<string, FieldSpec>;

const leaves = (names: string, spec: FieldSpec = true): FieldTable => Object.fromEntries(names.split(' ').map((name) => [name, spec]));
const obj = (names: string, nested: FieldTable = {}): { fields: FieldTable } => ({ fields: { ...leaves(names), ...nested } });
const strings = (names: string): FieldTable => leaves(names, 'string');

const RESOURCES: FieldTable = {
  ...strings('CgroupParent CpusetCpus CpusetMems'),
  ...leaves('DeviceCgroupRules', 'strings'),
  ...leaves('CpuShares Memory NanoCpus BlkioWeight CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime ' +
    'KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness ' +
    'OomKillDisable PidsLimit CpuCount CpuPercent IOMaximumIOps IOMaximumBandwidth DiskQuota'),
  BlkioWeightDevice: { items: obj('Path Weight') },
  BlkioDeviceReadBps: { items: obj('Path Rate') },
  BlkioDeviceWriteBps: { items: obj('Path Rate') },
  BlkioDeviceReadIOps: { items: obj('Path Rate') },
  BlkioDeviceWriteIOps: { items: obj('Path Rate') },
  Devices: { items: obj('PathOnHost PathInContainer CgroupPermissions') },
  DeviceRequests: { items: obj('Driver Count DeviceIDs Capabilities Options') },
  Ulimits: { items: obj('Name Soft Hard') },
};

export const CONTAINER_FIELDS: FieldTable = {
  ...strings('Hostname Domainname User Image WorkingDir MacAddress StopSignal'),
  ...leaves('Env Cmd Entrypoint OnBuild Shell', 'strings'),
  Labels: 'stringMap',
  ...leaves('AttachStdin AttachStdout AttachStderr ExposedPorts Tty OpenStdin StdinOnce ArgsEscaped Volumes NetworkDisabled StopTimeout'),
  Healthcheck: obj('Test Interval Timeout Retries StartPeriod StartInterval'),
};

export const HOST_FIELDS: FieldTable = {
  ...strings('ContainerIDFile NetworkMode VolumeDriver CgroupnsMode IpcMode Cgroup PidMode UTSMode UsernsMode Runtime ' +
    'Isolation InitPath'),
  ...leaves('Binds VolumesFrom CapAdd CapDrop Dns DnsOptions DnsSearch ExtraHosts GroupAdd Links SecurityOpt MaskedPaths ' +
    'ReadonlyPaths', 'strings'),
  ...leaves('Annotations StorageOpt Tmpfs Sysctls', 'stringMap'),
  ...leaves('AutoRemove ConsoleSize OomScoreAdj Privileged PublishAllPorts ReadonlyRootfs ShmSize Init'),
  LogConfig: { fields: { Type: 'string', Config: 'stringMap' } },
  PortBindings: { values: { items: { fields: strings('HostIp HostPort') } } },
  RestartPolicy: { fields: { Name: 'string', MaximumRetryCount: true } },
  Mounts: {
    items: obj('Target Source Type ReadOnly Consistency', {
      BindOptions: obj('Propagation NonRecursive CreateMountpoint'),
      VolumeOptions: obj('NoCopy Labels', { DriverConfig: obj('Name Options') }),
      TmpfsOptions: obj('SizeBytes Mode'),
    }),
  },
  ...RESOURCES,
  /** Go's embedded Resources struct, which ContainerSSH's YAML spells `resources:`; flattened into HostConfig. */
  Resources: { fields: RESOURCES },
};

export const NETWORK_FIELDS: FieldTable = {
  EndpointsConfig: {
    values: obj('Links Aliases NetworkID EndpointID Gateway IPAddress IPPrefixLen IPv6Gateway GlobalIPv6Address ' +
      'GlobalIPv6PrefixLen MacAddress DriverOpts DNSNames', { IPAMConfig: obj('IPv4Address IPv6Address LinkLocalIPs') }),
  },
};

/** OCI platform names as in its JSON (os.version), with Go's field names as aliases. */
export const PLATFORM_FIELDS: FieldTable = { ...strings('architecture os os.version variant'), 'os.features': 'strings' };
const PLATFORM_ALIASES: Record<string, string> = { osversion: 'os.version', osfeatures: 'os.features' };

export const DOCKER_TABLES: Record<string, FieldTable> = {
  container: CONTAINER_FIELDS,
  host: HOST_FIELDS,
  network: NETWORK_FIELDS,
  platform: PLATFORM_FIELDS,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the canonical API name for a key written in any case, or undefined. */
export function canonicalDockerKey(table: FieldTable, key: string): string | undefined {
  const lower = key.toLowerCase();
  const alias = PLATFORM_ALIASES[lower];
  if (alias !== undefined && alias in table) return alias;
  return Object.keys(table).find((name) => name.toLowerCase() === lower);
}

/** Normalises one pass-through block; unknown fields are kept as written and reported as warnings. */
export function normalizeDockerBlock(kind: string, value: Record<string, unknown>, path: string, issues: ConfigIssue[]): Record<string, unknown> {
  const table = DOCKER_TABLES[kind] ?? {};
  const result = normalizeObject(table, value, path, issues);
  if (kind === 'container') hintMisplacedHostFields(result, path, issues);
  if (kind === 'host' && isPlainObject(result.Resources)) {
    const { Resources: nested, ...rest } = result;
    return { ...nested, ...rest };
  }
  return result;
}

function normalizeObject(table: FieldTable, value: Record<string, unknown>, path: string, issues: ConfigIssue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sourceKey: Record<string, string> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '__proto__') continue; // never a Docker field; assigning it would replace the object's prototype
    const name = canonicalDockerKey(table, key);
    const childPath = `${path}.${key}`;
    if (name === undefined) {
      issues.push(unknownFieldWarning(table, key, childPath));
      out[key] = child;
      continue;
    }
    const previous = sourceKey[name];
    if (previous !== undefined) {
      issues.push(configError('CONFIG_DUPLICATE_KEY', childPath, `"${key}" and "${previous}" both set the Docker field ${name}`, {
        hint: 'Docker keys are matched case-insensitively; keep only one of them',
      }));
    }
    sourceKey[name] = key;
    out[name] = normalizeValue(table[name] ?? true, child, childPath, issues);
  }
  return out;
}

/** Go's YAML decoder turns a scalar into a string field's text; do the same so Docker gets the type it expects. */
function asGoString(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : value;
}

function normalizeValue(spec: FieldSpec, value: unknown, path: string, issues: ConfigIssue[]): unknown {
  if (spec === true || value === null || value === undefined) return value;
  if (spec === 'string') return asGoString(value);
  if (spec === 'strings') return Array.isArray(value) ? value.map(asGoString) : asGoString(value);
  if (spec === 'stringMap') {
    return isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== '__proto__').map(([key, child]) => [key, asGoString(child)])) : value;
  }
  if ('fields' in spec) return isPlainObject(value) ? normalizeObject(spec.fields, value, path, issues) : value;
  if ('items' in spec) {
    return Array.isArray(value) ? value.map((item, index) => normalizeValue(spec.items, item, `${path}.${index}`, issues)) : value;
  }
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== '__proto__').map(([key, child]) => [key, normalizeValue(spec.values, child, `${path}.${key}`, issues)]));
}

/** ContainerSSH users often put HostConfig fields (networkmode, binds) into container; say where they belong. */
function hintMisplacedHostFields(container: Record<string, unknown>, path: string, issues: ConfigIssue[]): void {
  for (const issue of issues) {
    const key = issue.path.startsWith(`${path}.`) ? issue.path.slice(path.length + 1) : undefined;
    if (issue.code !== 'DOCKER_FIELD_UNKNOWN' || key === undefined || !(key in container)) continue;
    const hostName = canonicalDockerKey(HOST_FIELDS, key);
    if (hostName !== undefined) issue.hint = `${hostName} is a HostConfig field: move it to docker.execution.host`;
  }
}

function unknownFieldWarning(table: FieldTable, key: string, path: string): ConfigIssue {
  const hint = didYouMean(key, Object.keys(table));
  return configWarning('DOCKER_FIELD_UNKNOWN', path, `unknown Docker field "${key}" is passed to Docker as written`, {
    ...(hint === undefined ? {} : { hint }),
  });
}
