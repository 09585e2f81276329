// Converts legacy configuration in a yaml Document in place: ContainerSSH 0.3 `dockerrun` (converted as ContainerSSH 0.4 did, behaviour
// preserved), the old top-level `listen`, and the 0.3/0.4 flat `auth` webhook keys. Comments and key order survive.
// Where 0.3 and 0.4 meant different things by the same file, the version chosen (legacy-version.ts) decides.
import { Pair, Scalar, YAMLMap, isMap, isNode, type Document } from 'yaml';
import { migrateDockerrun } from './legacy-dockerrun.js';
import { chooseVersion, versionNote, type LegacyVersion, type VersionChoice } from './legacy-version.js';
import { childMap, findPair, plain, removePair } from './yaml-nodes.js';

export type { LegacyVersion, VersionChoice } from './legacy-version.js';

/**
 * One change or behaviour-relevant choice made by the migration, for stderr and the JSON output. `warning`: a choice
 * that depended on the ContainerSSH version, which the file did not tell. `source` is the dotted path of the input
 * key the note is about, when it differs from `path` (which names the option in the output).
 */
export interface MigrationNote {
  kind: 'change' | 'note' | 'warning';
  path: string;
  message: string;
  source?: string;
}

export interface MigrationOptions {
  /** The ContainerSSH version the file was written for; undefined: 0.4 when the file shows it, else 0.3. */
  from?: LegacyVersion;
}

export interface MigrationResult {
  changed: boolean;
  /** A dockerrun block was converted. */
  dockerrun: boolean;
  /** The old top-level listen was found: `moved` to ssh.listen, or `ignored` because ssh.listen was also set. */
  listen: false | 'moved' | 'ignored';
  authUrl: boolean;
  /** The webhook options the 0.4 auth.url now configures (empty when it configures none). */
  authUrlTargets: string[];
  /** The version the file was read as, and why. */
  version: VersionChoice;
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
export function migrateDocument(doc: Document, options: MigrationOptions = {}): MigrationResult {
  const root = doc.contents;
  const version = chooseVersion(isMap(root) ? root : undefined, options.from);
  const result: MigrationResult = { changed: false, dockerrun: false, listen: false, authUrl: false, authUrlTargets: [], version, notes: [] };
  if (!isMap(root)) return result;
  migrateListen(doc, root, result);
  migrateAuth(doc, root, result);
  migrateDockerrun(doc, root, result);
  result.changed = result.dockerrun || result.listen !== false || result.authUrl || result.notes.some((note) => note.kind === 'change');
  return result;
}

function migrateListen(doc: Document, root: YAMLMap, result: MigrationResult): void {
  const pair = findPair(root, 'listen');
  if (pair === undefined) return;
  result.listen = 'moved';
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
    result.listen = 'ignored';
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
  const flag = (pair: Pair<Scalar, unknown> | undefined): boolean | undefined => (pair === undefined || isMap(pair.value) ? undefined : plain(pair.value) !== false);
  const passwordOn = flag(oldPassword) ?? true; // true in 0.3 and 0.4 alike
  const pubkeyOn = flag(oldPubkey) ?? result.version.version === '0.4';
  for (const pair of [...clientPairs, ...legacyFlags]) removePair(auth, pair);
  if (typeof url !== 'string' || url === '') {
    result.notes.push({ kind: 'change', path: 'auth', message: 'removed the 0.4 auth keys; they set no url, so no webhook is configured' });
    return;
  }
  if (flag(oldPubkey) === undefined) {
    result.notes.push(versionNote(result.version, 'auth.publicKey',
      pubkeyOn ? 'public-key login goes to the webhook: auth.pubkey was not set, and 0.4 defaulted it to true'
        : 'public-key login stays off: auth.pubkey was not set, and 0.3 defaulted it to false', 'auth.url'));
  }
  const targets: Array<[string, boolean]> = [['password', passwordOn], ['publicKey', pubkeyOn]];
  for (const [method, on] of targets) {
    if (!on) {
      disableExplicitly(doc, auth, method, flag(method === 'password' ? oldPassword : oldPubkey) === undefined, result);
      continue;
    }
    const section = childMap(doc, auth, method);
    if (findPair(section, 'method') !== undefined) {
      result.notes.push({ kind: 'note', path: `auth.${method}`, message: 'already configured; the 0.4 url was not copied here' });
      continue;
    }
    const webhook = new YAMLMap(doc.schema);
    const first = result.authUrlTargets.length === 0;
    for (const pair of clientPairs) webhook.add(new Pair(new Scalar(String(pair.key.value)), first ? pair.value : copyWithoutComments(pair.value)));
    section.add(new Pair(new Scalar('method'), new Scalar('webhook')));
    section.add(new Pair(new Scalar('webhook'), webhook));
    result.authUrlTargets.push(`auth.${method}.webhook`);
    result.notes.push({ kind: 'change', path: `auth.${method}.webhook`, message: `moved the 0.4 auth webhook settings (url ${url}) to auth.${method}.webhook with method: webhook` });
  }
}

/** A login method the old file left off is written out as `method: ""`, so the output says so itself. */
function disableExplicitly(doc: Document, auth: YAMLMap, method: string, byDefault: boolean, result: MigrationResult): void {
  const existing = findPair(auth, method);
  if (existing !== undefined && isMap(existing.value) && findPair(existing.value, 'method') !== undefined) {
    result.notes.push({ kind: 'note', path: `auth.${method}`, message: 'already configured; left as it is' });
    return;
  }
  const section = childMap(doc, auth, method);
  const value = new Scalar('');
  value.type = Scalar.QUOTE_DOUBLE;
  const old = method === 'password' ? 'password' : 'pubkey';
  value.comment = byDefault ? ` off: ContainerSSH ${result.version.version} left auth.${old} false when unset` : ` off: the old config set auth.${old}: false`;
  section.add(new Pair(new Scalar('method'), value));
  result.notes.push({ kind: 'change', path: `auth.${method}.method`, message: `"" (off): ${byDefault ? `auth.${old} was not set` : `the old config turned ${old} off`}` });
}
