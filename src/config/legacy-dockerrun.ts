// The 0.3 dockerrun -> docker conversion, as ContainerSSH 0.4 did it, on a yaml Document, with every choice recorded as a note.
import { Pair, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, type Document, type Node } from 'yaml';
import type { MigrationNote, MigrationResult } from './legacy.js';
import { versionNote } from './legacy-version.js';
import { DEFAULT_IMAGE } from './schema-constants.js';
import { childMap, findPair, plain, removePair } from './yaml-nodes.js';

const TIMEOUT_KEYS = ['containerStart', 'containerStop', 'commandStart', 'signal', 'window', 'http'];

/** Replaces a dockerrun block with the equivalent docker section (or drops it when another backend is chosen). */
export function migrateDockerrun(doc: Document, root: YAMLMap, result: MigrationResult): void {
  const backendPair = findPair(root, 'backend');
  const backend = plain(backendPair?.value);
  if (findPair(root, 'dockerrun') === undefined && backend === 'dockerrun') {
    root.add(new Pair(new Scalar('dockerrun'), new YAMLMap(doc.schema)));
    result.notes.push({ kind: 'note', path: 'dockerrun', message: 'backend: dockerrun without a dockerrun block: converting the 0.3 defaults' });
  }
  const pair = findPair(root, 'dockerrun');
  if (pair === undefined) return;
  if (backend !== undefined && backend !== 'dockerrun' && backend !== null && backend !== '') {
    removePair(root, pair);
    result.notes.push({ kind: 'change', path: 'dockerrun', message: `removed the dockerrun block, which was unused because backend is ${JSON.stringify(backend)}` });
    return;
  }
  result.dockerrun = true;
  const old = isMap(pair.value) ? pair.value : new YAMLMap(doc.schema);
  const docker = buildDocker(doc, old, result.notes);
  docker.range = (pair.value as Node | null)?.range ?? (pair.key as Node).range;
  const existing = findPair(root, 'docker');
  if (existing !== undefined) {
    removePair(root, existing);
    result.notes.push({ kind: 'change', path: 'docker', message: 'replaced the existing docker section: backend was dockerrun, so it was unused' });
  }
  const key = new Scalar('docker');
  key.commentBefore = pair.key.commentBefore;
  key.range = pair.key.range;
  pair.key = key;
  pair.value = docker;
  if (backendPair !== undefined) {
    const value = new Scalar('docker');
    value.comment = isScalar(backendPair.value) ? backendPair.value.comment : null;
    backendPair.value = value;
  } else {
    const backendKey = new Scalar('backend');
    backendKey.commentBefore = key.commentBefore;
    key.commentBefore = null;
    root.items.splice(root.items.indexOf(pair), 0, new Pair(backendKey, new Scalar('docker')));
  }
  result.notes.push({ kind: 'change', path: 'backend', message: backendPair === undefined ? 'added backend: docker (0.3 used dockerrun by default)' : 'backend: dockerrun -> docker' });
  convertDisableCommand(doc, root, old, result);
}

function moveIfPresent(from: YAMLMap, key: string, to: YAMLMap, as = key): boolean {
  const pair = findPair(from, key);
  if (pair === undefined || pair.value === null || plain(pair.value) === null) return false;
  const newKey = new Scalar(as);
  newKey.commentBefore = pair.key.commentBefore;
  newKey.range = pair.key.range;
  pair.key.commentBefore = null; // carried over; not a leftover
  to.add(new Pair(newKey, pair.value));
  return true;
}

function buildConnection(doc: Document, old: YAMLMap, notes: MigrationNote[]): YAMLMap {
  const connection = new YAMLMap(doc.schema);
  for (const key of ['host', 'cacert', 'cert', 'key']) {
    const value = plain(findPair(old, key)?.value);
    if (typeof value === 'string' && value !== '') moveIfPresent(old, key, connection);
  }
  if (findPair(connection, 'host') === undefined) {
    notes.push({ kind: 'note', path: 'docker.connection.host', message: 'no host was set: cssh uses DOCKER_HOST, else the local socket (0.3 always used unix:///var/run/docker.sock)' });
  }
  return connection;
}

function shellFromCmd(doc: Document, container: unknown, notes: MigrationNote[]): Node {
  const cmdPair = isMap(container) ? findPair(container, 'cmd') : undefined;
  const cmd = plain(cmdPair?.value);
  if (Array.isArray(cmd) && cmd.length > 0 && cmd.every((item) => typeof item === 'string')) {
    notes.push({ kind: 'note', path: 'docker.execution.shellCommand', message: `set to the container cmd ${JSON.stringify(cmd)}: 0.3 ran it for shell requests (the container cmd itself is replaced by each program)` });
    return doc.createNode(cmd) as Node;
  }
  notes.push({ kind: 'note', path: 'docker.execution.shellCommand', message: 'set to []: shell requests run the image\'s default CMD, as in 0.3' });
  const empty = new YAMLSeq(doc.schema);
  empty.flow = true;
  return empty;
}

function buildExecution(doc: Document, config: YAMLMap, notes: MigrationNote[]): YAMLMap {
  const execution = new YAMLMap(doc.schema);
  if (!moveIfPresent(config, 'container', execution)) {
    execution.add(new Pair(new Scalar('container'), doc.createNode({ image: DEFAULT_IMAGE })));
    notes.push({ kind: 'note', path: 'docker.execution.container', message: `no container was set: using the 0.3 default image ${DEFAULT_IMAGE}` });
  }
  const first = execution.items[0]?.key;
  if (typeof config.commentBefore === 'string' && isScalar(first) && first.commentBefore == null) first.commentBefore = config.commentBefore;
  for (const key of ['host', 'network', 'platform', 'containername']) moveIfPresent(config, key, execution);
  if (!moveIfPresent(config, 'subsystems', execution)) {
    execution.add(new Pair(new Scalar('subsystems'), doc.createNode({ sftp: '/usr/lib/openssh/sftp-server' })));
  }
  execution.add(new Pair(new Scalar('mode'), new Scalar('session')));
  execution.add(new Pair(new Scalar('shellCommand'), shellFromCmd(doc, findPair(execution, 'container')?.value, notes)));
  execution.add(new Pair(new Scalar('disableAgent'), new Scalar(true)));
  execution.add(new Pair(new Scalar('imagePullPolicy'), new Scalar('Always')));
  notes.push(
    { kind: 'change', path: 'docker.execution.mode', message: 'session: one container per SSH session, as the 0.3 backend ran one container per program' },
    { kind: 'change', path: 'docker.execution.imagePullPolicy', message: 'Always: 0.3 pulled the image before every program' },
    { kind: 'change', path: 'docker.execution.disableAgent', message: 'true: 0.3 images have no guest agent (signals go to the container\'s main process)' },
    { kind: 'note', path: 'docker.execution.idleCommand', message: 'not set: the idle command is only used in connection mode, so it does not matter in session mode' },
  );
  return execution;
}

function buildTimeouts(doc: Document, config: YAMLMap, notes: MigrationNote[]): YAMLMap {
  const timeouts = new YAMLMap(doc.schema);
  const timeout = findPair(config, 'timeout')?.value;
  const value = timeout === undefined || plain(timeout) === null || plain(timeout) === '' ? '60s' : plain(timeout);
  for (const key of TIMEOUT_KEYS) {
    const scalar = new Scalar(value);
    scalar.range = (timeout as Node | undefined)?.range; // problems with the copies point at the old timeout
    timeouts.add(new Pair(new Scalar(key), scalar));
  }
  notes.push({ kind: 'change', path: 'docker.timeouts', message: `the one dockerrun timeout (${String(value)}) is copied to all six timeouts, http included (not its usual 15s)` });
  return timeouts;
}

function buildDocker(doc: Document, old: YAMLMap, notes: MigrationNote[]): YAMLMap {
  const configPair = findPair(old, 'config');
  const config = configPair !== undefined && isMap(configPair.value) ? configPair.value : new YAMLMap(doc.schema);
  const known = ['container', 'host', 'network', 'platform', 'containername', 'subsystems', 'disableCommand', 'timeout'];
  for (const item of config.items) {
    const key = String(plain(item.key));
    if (!known.some((name) => name.toLowerCase() === key.toLowerCase())) {
      notes.push({ kind: 'note', path: `dockerrun.config.${key}`, message: 'dropped: not a dockerrun option' });
    }
  }
  const docker = new YAMLMap(doc.schema);
  const connection = buildConnection(doc, old, notes);
  if (connection.items.length > 0) docker.add(new Pair(new Scalar('connection'), connection));
  docker.add(new Pair(new Scalar('execution'), buildExecution(doc, config, notes)));
  docker.add(new Pair(new Scalar('timeouts'), buildTimeouts(doc, config, notes)));
  keepLeftoverComments(old, config, docker);
  notes.push({ kind: 'change', path: 'docker', message: 'converted the dockerrun block to a docker section' });
  return docker;
}

/** Comments of the dockerrun block and of keys that were not carried over go above the new section's first key. */
function keepLeftoverComments(old: YAMLMap, config: YAMLMap, docker: YAMLMap): void {
  // config's own leading comment stays with its first key, which buildExecution moved to the top of execution.
  const comments = [old.commentBefore, ...[...old.items, ...config.items]
    .map((pair) => (isScalar(pair.key) ? pair.key.commentBefore : undefined))]
    .filter((comment): comment is string => typeof comment === 'string' && comment !== '');
  const first = docker.items[0]?.key;
  if (comments.length === 0 || !isScalar(first)) return;
  first.commentBefore = [...comments, ...(typeof first.commentBefore === 'string' ? [first.commentBefore] : [])].join('\n');
}

function convertDisableCommand(doc: Document, root: YAMLMap, old: YAMLMap, result: MigrationResult): void {
  const configPair = findPair(old, 'config');
  const config = configPair !== undefined && isMap(configPair.value) ? configPair.value : undefined;
  if (config === undefined || plain(findPair(config, 'disableCommand')?.value) !== true) return;
  const { notes } = result;
  const security = childMap(doc, root, 'security');
  setPolicy(doc, security, 'command', 'disable', 'replaces the old disableCommand: true', notes);
  const source = 'dockerrun.config.disableCommand';
  if (result.version.version === '0.3') {
    notes.push(versionNote(result.version, 'security.subsystem.mode', 'subsystems such as sftp are refused too: 0.3\'s disableCommand refused them', source));
    setPolicy(doc, security, 'subsystem', 'disable', 'ContainerSSH 0.3\'s disableCommand also refused subsystems', notes);
    return;
  }
  notes.push(versionNote(result.version, 'security.subsystem.mode', 'subsystems such as sftp stay allowed: 0.4\'s disableCommand refused commands only', source));
  const defaultMode = plain(findPair(security, 'defaultMode')?.value);
  if (typeof defaultMode === 'string' && defaultMode !== '') {
    notes.push({ kind: 'note', path: 'security.subsystem.mode', message: `not set: security.defaultMode ${defaultMode} decides, as it did in 0.4` });
    return;
  }
  setPolicy(doc, security, 'subsystem', 'enable', 'ContainerSSH 0.4\'s disableCommand refused commands only', notes);
}

/** Sets security.<item>.mode unless the file already chose one (then a note says what was kept). */
function setPolicy(doc: Document, security: YAMLMap, item: string, mode: string, why: string, notes: MigrationNote[]): void {
  const section = childMap(doc, security, item);
  const pair = findPair(section, 'mode');
  const current = plain(pair?.value);
  if (pair !== undefined && current !== '' && current !== null && current !== undefined) {
    notes.push({ kind: 'note', path: `security.${item}.mode`, message: `kept ${JSON.stringify(current)}; the migration would have set ${mode} (${why})` });
    return;
  }
  const value = new Scalar(mode);
  value.comment = ` ${why}`;
  if (pair !== undefined) pair.value = value;
  else section.add(new Pair(new Scalar('mode'), value));
  notes.push({ kind: 'change', path: `security.${item}.mode`, message: `${mode}: ${why}` });
}
