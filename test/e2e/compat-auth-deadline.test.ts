// authTimeout must bound a webhook exchange even after the garbage collector has run (fail closed, in time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNullLogger } from '../../src/core/logger.js';
import { callWebhook } from '../../src/auth/webhook.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a dead auth server is given up on at authTimeout although GC runs while waiting', async () => {
  const timer = setInterval(gc, 20);
  try {
    const call = callWebhook({
      client: { baseUrl: 'http://127.0.0.1:9', tls: { minVersion: 'TLSv1.3', ecdhCurve: 'X25519', ciphers: 'TLS_AES_128_GCM_SHA256' }, allowRedirects: false, timeoutMs: 200 },
      url: 'http://127.0.0.1:9/password',
      body: { username: 'alice' },
      decode: (text) => text,
      deadlineMs: 300,
      intervalMs: 10_000,
      logger: createNullLogger(),
      codes: { invalidStatus: 'AUTH_INVALID_STATUS', decodeFailed: 'AUTH_DECODE_FAILED', transport: 'AUTH_BACKEND_ERROR' },
      onAttempt: () => undefined,
      onFailure: () => undefined,
    });
    // Hang guard far below the 10 s retry interval: a deadline that never fires sleeps through it.
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref());
    const outcome = await Promise.race([call.then(() => 'answered', (error: Error) => error.message), hung]);
    assert.notEqual(outcome, 'hung', 'the authTimeout deadline never fired');
    assert.match(outcome, /127\.0\.0\.1:9/);
  } finally {
    clearInterval(timer);
  }
});
