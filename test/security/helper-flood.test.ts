// A root user who replaces /bin/sh by a program printing without end neither exhausts cssh nor escapes maxSessionDuration.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, ssh, sshBackground, startServer, uniqueUser } from '../e2e/production-helpers.js';
import { capAddressSpace, mib, rss, serverPid } from './security-helpers.js';

/** cssh's RSS may grow by at most this much while the helper floods (measured: +1.5 to +4 MiB). */
const RSS_BOUND = 16 * 1024 * 1024;

/**
 * The kernel runs `#!/bin/yes` scripts as `/bin/yes /bin/sh ...`, and busybox's yes prints its arguments for ever:
 * every later `/bin/sh -c ...` (the in-container signal helper) floods its output. The user's own program keeps
 * running (it was started before).
 */
const REPLACE_SH = "rm /bin/sh && printf '#!/bin/yes\\n' > /bin/sh && chmod 755 /bin/sh && echo replaced && exec sleep 1000";

dockerTest('connection mode: /bin/sh replaced by an endless printer; maxSessionDuration still ends the session, RSS stays bounded', async (t) => {
  const server = await startServer({ security: { maxSessionDuration: '4s', terminateGracePeriod: '2s', timeoutWarning: { leadTime: '1s' } } });
  t.after(() => server.stop());
  const user = uniqueUser('sec-flood');
  const pid = serverPid(server);
  // Warm up (first login, first exec) so the baseline is not the cold process.
  assert.equal((await ssh(server, user, ['true'])).code, 0);
  await eventually(() => containersOfUser(user).length === 0, 'warm-up container removed');
  const before = rss(pid);
  capAddressSpace(pid);

  const run = sshBackground(server, user, [REPLACE_SH]);
  await eventually(() => run.output().includes('replaced'), '/bin/sh replaced');
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
  const result = await run.done; // the hang guard (90 s) fails the test if the session is never ended
  clearInterval(sampler);
  peak = Math.max(peak, rss(pid));

  assert.notEqual(result.code, 0, `the session was ended (exit ${result.code}), not left running`);
  await eventually(() => containersOfUser(user).length === 0, 'the container was removed');
  assert.match(server.srv.output(), /DOCKER_EXEC_STOP_FAILED/, 'the log says why the container was removed');
  const grew = peak - before;
  t.diagnostic(`cssh RSS before ${mib(before)}, peak ${mib(peak)} (+${mib(grew)})`);
  assert.ok(grew < RSS_BOUND, `RSS grew by ${mib(grew)}, bound ${mib(RSS_BOUND)}`);

  // The server still serves a normal login afterwards.
  assert.equal((await ssh(server, user, ['true'])).code, 0);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
}, { timeout: 240_000 });
