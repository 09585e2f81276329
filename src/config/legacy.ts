// Converts legacy configuration in a yaml Document in place: ContainerSSH 0.3 `dockerrun` (reference §2.3, behaviour
// preserved), the old top-level `listen`, and 0.4's flat `auth` webhook keys. Comments and key order survive.
import { Pair, Scalar, YAMLMap, isMap, isNode, type Document } from 'yaml';
import { migrateDockerrun } from './legacy-dockerrun.js';
import { childMap, findPair, plain, removePair } from './yaml-nodes.js';

/** One change or behaviour-relevant choice made by the migration, for stderr and the JSON output. */
export interface MigrationNote {
  kind: 'change' | 'note';
  path: string;
  message: string;
}

export interface MigrationResult {
  changed: boolean;
  /** A dockerrun block was converted. */
  dockerrun: boolean;
  listen: boolean;
  authUrl: boolean;
  notes: MigrationNote[];
}

const AUTH_04_CLIENT_KEYS = ['url', 'timeout', 'authTimeout', 'cacert', 'cert', 'key', 'allowRedirects', 'tlsVersion'];

function copyWithoutComments(value: unknown): unknown {
  if (!isNode(value)) return value;
  const copy = value.clone();
  copy.comment = null;
  copy.commentBefore = null;
  return copy;
}

/** Migrates `doc` in place. Safe to run on a current config: nothing changes and `changed` is false. */
export function migrateDocument(doc: Document): MigrationResult {
  const result: MigrationResult = { changed: false, dockerrun: false, listen: false, authUrl: false, notes: [] };
  const root = doc.contents;
  if (!isMap(root)) return result;
  migrateListen(doc, root, result);
  migrateAuth(doc, root, result);
  migrateDockerrun(doc, root, result);
  result.changed = result.dockerrun || result.listen || result.authUrl || result.notes.some((note) => note.kind === 'change');
  return result;
}

function migrateListen(doc: Document, root: YAMLMap, result: MigrationResult): void {
  const pair = findPair(root, 'listen');
  if (pair === undefined) return;
  result.listen = true;
  const value = JSON.stringify(plain(pair.value));
  const sshPair = findPair(root, 'ssh');
  if (sshPair === undefined || !isMap(sshPair.value)) {
    // No ssh section yet: it takes the old key's place, so the order and the comment above stay.
    if (sshPair !== undefined) removePair(root, sshPair);
    const ssh = new YAMLMap(doc.schema);
    ssh.add(new Pair(new Scalar('listen'), pair.value));
    const key = new Scalar('ssh');
    key.commentBefore = pair.key.commentBefore;
    key.range = pair.key.range;
    pair.key = key;
    pair.value = ssh;
  } else if (findPair(sshPair.value, 'listen') === undefined) {
    removePair(root, pair);
    sshPair.value.add(new Pair(new Scalar('listen'), pair.value));
  } else {
    removePair(root, pair);
    result.notes.push({ kind: 'change', path: 'listen', message: 'removed the old top-level listen; ssh.listen is already set and wins' });
    return;
  }
  result.notes.push({ kind: 'change', path: 'ssh.listen', message: `moved the old top-level listen (${value}) to ssh.listen` });
}

function migrateAuth(doc: Document, auth0: YAMLMap, result: MigrationResult): void {
  const authPair = findPair(auth0, 'auth');
  if (authPair === undefined || !isMap(authPair.value)) return;
  const auth = authPair.value;
  const oldPassword = findPair(auth, 'password');
  const oldPubkey = findPair(auth, 'pubkey');
  const legacyFlags = [oldPassword, oldPubkey].filter((pair): pair is Pair<Scalar, unknown> => pair !== undefined && !isMap(pair.value));
  const clientPairs = AUTH_04_CLIENT_KEYS.map((key) => findPair(auth, key)).filter((pair): pair is Pair<Scalar, unknown> => pair !== undefined);
  if (clientPairs.length === 0 && legacyFlags.length === 0) return;
  result.authUrl = true;
  const url = plain(findPair(auth, 'url')?.value);
  const enabled = (pair: Pair<Scalar, unknown> | undefined): boolean => pair === undefined || isMap(pair.value) || plain(pair.value) !== false;
  for (const pair of [...clientPairs, ...legacyFlags]) removePair(auth, pair);
  if (typeof url !== 'string' || url === '') {
    result.notes.push({ kind: 'change', path: 'auth', message: 'removed the 0.4 auth keys; they set no url, so no webhook is configured' });
    return;
  }
  const targets: Array<[string, boolean]> = [['password', enabled(oldPassword)], ['publicKey', enabled(oldPubkey)]];
  for (const [method, on] of targets) {
    if (!on) {
      result.notes.push({ kind: 'note', path: `auth.${method}`, message: `left disabled: the 0.4 config turned ${method === 'password' ? 'password' : 'pubkey'} off` });
      continue;
    }
    const section = childMap(doc, auth, method);
    if (findPair(section, 'method') !== undefined) {
      result.notes.push({ kind: 'note', path: `auth.${method}`, message: 'already configured; the 0.4 url was not copied here' });
      continue;
    }
    const webhook = new YAMLMap(doc.schema);
    const first = method === 'password' || !enabled(oldPassword);
    for (const pair of clientPairs) webhook.add(new Pair(new Scalar(String(pair.key.value)), first ? pair.value : copyWithoutComments(pair.value)));
    section.add(new Pair(new Scalar('method'), new Scalar('webhook')));
    section.add(new Pair(new Scalar('webhook'), webhook));
    result.notes.push({ kind: 'change', path: `auth.${method}.webhook`, message: `moved the 0.4 auth webhook settings (url ${url}) to auth.${method}.webhook with method: webhook` });
  }
}

