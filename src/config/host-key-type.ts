// Identifies the algorithm of an SSH host key given as PEM text, so validation can reject ECDSA keys as ContainerSSH does.
import { createPrivateKey } from 'node:crypto';

/** 'rsa' | 'dsa' | 'ed25519' | 'ecdsa' | 'encrypted' | 'unknown' for a PEM private key. */
export function hostKeyType(pem: string): string {
  const text = pem.trim();
  if (text.includes('BEGIN EC PRIVATE KEY')) return 'ecdsa';
  if (text.includes('BEGIN RSA PRIVATE KEY')) return 'rsa';
  if (text.includes('BEGIN DSA PRIVATE KEY')) return 'dsa';
  if (text.includes('BEGIN ENCRYPTED PRIVATE KEY')) return 'encrypted';
  if (text.includes('BEGIN OPENSSH PRIVATE KEY')) return openSshKeyType(text);
  try {
    const type = createPrivateKey(text).asymmetricKeyType ?? 'unknown';
    return type === 'ec' ? 'ecdsa' : type;
  } catch {
    return 'unknown';
  }
}

function openSshKeyType(text: string): string {
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const data = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (data.subarray(0, magic.length).toString('latin1') !== magic) return 'unknown';
  let offset = magic.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    const value = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  const cipher = readString()?.toString('latin1');
  readString(); // kdf name
  readString(); // kdf options
  offset += 4; // number of keys
  const publicKey = readString();
  if (publicKey === undefined || publicKey.length < 4) return 'unknown';
  const type = publicKey.subarray(4, 4 + publicKey.readUInt32BE(0)).toString('latin1');
  if (cipher !== undefined && cipher !== 'none') return 'encrypted';
  if (type.startsWith('ecdsa-') || type.startsWith('sk-ecdsa-')) return 'ecdsa';
  if (type.startsWith('ssh-rsa')) return 'rsa';
  if (type.startsWith('ssh-dss')) return 'dsa';
  if (type.startsWith('ssh-ed25519')) return 'ed25519';
  return 'unknown';
}
