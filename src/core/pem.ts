// Checks that PEM text holds what a TLS option needs (certificates, or one private key) and says what is wrong in
// words an operator can act on: no PEM block, an empty block, a placeholder, the wrong kind, or data that does not parse.
import { X509Certificate, createPrivateKey } from 'node:crypto';

export type PemKind = 'certificate' | 'private key';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const CERT_LABELS = ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE'];
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

/** True when a TLS option's value is PEM text (or meant to be) rather than a file path. */
export function looksLikePem(value: string): boolean {
  const text = value.trim();
  return text.startsWith('-----') || text.includes('-----BEGIN') || text.includes('\n');
}

interface Block {
  label: string;
  text: string;
  body: string;
}

function blocksOf(text: string): Block[] {
  return [...text.matchAll(BLOCK)].map((match) => ({
    label: match[1] ?? '',
    text: match[0],
    body: match[2] ?? '',
    end: match[3] ?? '',
  })).map((block) => (block.label === block.end ? block : { ...block, label: `${block.label}/${block.end}` }));
}

/** The body's problem before any parsing: empty, or something other than base64 (a placeholder such as "<key here>"). */
function bodyProblem(block: Block): string | undefined {
  const lines = block.body.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const data = lines.filter((line) => !/^[A-Za-z-]+:/.test(line)); // RFC 1421 headers (Proc-Type, DEK-Info)
  if (data.length === 0) return `the ${block.label} block is empty`;
  const bad = data.find((line) => !/^[A-Za-z0-9+/=]+$/.test(line));
  if (bad !== undefined) {
    const shown = bad.length > 40 ? `${bad.slice(0, 37)}...` : bad;
    return `the ${block.label} block holds ${JSON.stringify(shown)}, not base64 data (a placeholder?)`;
  }
  return undefined;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function certificateProblem(blocks: Block[]): string | undefined {
  const count = blocks.length;
  for (const [index, block] of blocks.entries()) {
    const which = count > 1 ? ` (block ${index + 1} of ${count})` : '';
    if (!CERT_LABELS.includes(block.label)) {
      const swapped = block.label.includes('PRIVATE KEY') ? '; are cert and key swapped?' : '';
      return `it holds a ${block.label}${which}, not a CERTIFICATE${swapped}`;
    }
    const body = bodyProblem(block);
    if (body !== undefined) return `${body}${which}`;
    try {
      new X509Certificate(block.text);
    } catch (error) {
      return `the CERTIFICATE block${which} is not a valid X.509 certificate (${reason(error)})`;
    }
  }
  return undefined;
}

function privateKeyProblem(blocks: Block[]): string | undefined {
  const keys = blocks.filter((block) => KEY_LABELS.includes(block.label));
  if (keys.length === 0) {
    const first = blocks[0]?.label ?? '';
    return `it holds a ${first}, not a private key${first.includes('CERTIFICATE') ? '; are cert and key swapped?' : ''}`;
  }
  if (keys.length > 1) return `it holds ${keys.length} private keys; give exactly one`;
  const key = keys[0] as Block;
  const body = bodyProblem(key);
  if (body !== undefined) return body;
  if (key.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(key.body)) {
    return 'the private key is encrypted with a passphrase, which cssh cannot supply; decrypt it (openssl pkey -in key.pem -out plain.pem)';
  }
  try {
    createPrivateKey(key.text);
  } catch (error) {
    return `the ${key.label} block is not a valid private key (${reason(error)})`;
  }
  return undefined;
}

/**
 * What is wrong with `text` as a `kind` (certificates: one or more CERTIFICATE blocks, as for a CA bundle; private
 * key: exactly one key block), or undefined when it parses. Never throws.
 */
export function pemProblem(text: string, kind: PemKind): string | undefined {
  const blocks = blocksOf(text);
  if (blocks.length === 0) {
    return text.includes('-----BEGIN')
      ? 'a -----BEGIN line has no matching -----END line'
      : 'it is not PEM text (no -----BEGIN ...----- line) and not a file path';
  }
  const mismatched = blocks.find((block) => block.label.includes('/'));
  if (mismatched !== undefined) return `BEGIN and END lines do not match (${mismatched.label})`;
  return kind === 'certificate' ? certificateProblem(blocks) : privateKeyProblem(blocks);
}
