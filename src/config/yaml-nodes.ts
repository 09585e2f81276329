// Small helpers for editing yaml Documents: find a pair by key, read a node's plain value, get or add a child map.
import { Pair, Scalar, YAMLMap, isMap, isPair, isScalar, type Document } from 'yaml';

/** The pair whose scalar key equals `key` (exactly, else case-insensitively). */
export function findPair(map: YAMLMap, key: string): Pair<Scalar, unknown> | undefined {
  const lower = key.toLowerCase();
  const exact = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const found = exact ?? map.items.find((item) => isScalar(item.key) && String(item.key.value).toLowerCase() === lower);
  return isPair(found) ? (found as Pair<Scalar, unknown>) : undefined;
}

export function plain(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  return node === undefined || node === null ? undefined : (node as { toJSON?: () => unknown }).toJSON?.();
}

/** The map under `key`, created (or replacing a non-map value) when missing. */
export function childMap(doc: Document, parent: YAMLMap, key: string): YAMLMap {
  const pair = findPair(parent, key);
  if (pair !== undefined && isMap(pair.value)) return pair.value;
  const created = new YAMLMap(doc.schema);
  if (pair !== undefined) pair.value = created;
  else parent.add(new Pair(new Scalar(key), created));
  return created;
}


/** Removes a pair from its map; a comment above it moves to the next pair so it is not lost. */
export function removePair(map: YAMLMap, pair: Pair): void {
  const index = map.items.indexOf(pair);
  if (index < 0) return;
  const comment = isScalar(pair.key) ? pair.key.commentBefore : undefined;
  map.items.splice(index, 1);
  const next = map.items[index];
  if (comment !== undefined && comment !== null && next !== undefined && isScalar(next.key)) {
    next.key.commentBefore = next.key.commentBefore === undefined || next.key.commentBefore === null ? comment : `${comment}\n${next.key.commentBefore}`;
  }
}
