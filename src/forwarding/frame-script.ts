// The relay frame writer shared by the scripts that run in the forwarding helper (`node -e`); see frames.ts.

/** JavaScript defining `frame(type, payload)`: a 1-byte type letter, a 4-byte big-endian length, the payload. */
export const FRAME_JS = String.raw`const frame = (type, payload) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
};`;
