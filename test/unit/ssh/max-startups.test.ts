// MaxStartups arithmetic: the option syntax, sshd's random early drop, and the netblocks of the per-source cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMaxStartups, parseNetBlockSize } from '../../../src/config/startups-syntax.js';
import { shouldDrop, sourceBlock } from '../../../src/ssh/max-startups.js';

test('maxStartups takes start:rate:full or one number, with sshd_config\'s checks', () => {
  assert.deepEqual(parseMaxStartups('10:30:100'), { start: 10, rate: 30, full: 100 });
  assert.deepEqual(parseMaxStartups(' 50 '), { start: 50, rate: 100, full: 50 });
  assert.deepEqual(parseMaxStartups('5:100:5'), { start: 5, rate: 100, full: 5 });
  assert.match(parseMaxStartups('10:30') as string, /not start:rate:full/);
  assert.match(parseMaxStartups('ten') as string, /not start:rate:full/);
  assert.match(parseMaxStartups('-1') as string, /not start:rate:full/);
  assert.match(parseMaxStartups('0') as string, /start must be at least 1/);
  assert.match(parseMaxStartups('10:0:100') as string, /rate is a percentage/);
  assert.match(parseMaxStartups('10:101:100') as string, /rate is a percentage/);
  assert.match(parseMaxStartups('100:30:10') as string, /full must not be smaller than start/);
});

test('perSourceNetBlockSize takes ipv4bits[:ipv6bits]', () => {
  assert.deepEqual(parseNetBlockSize('32:64'), { ipv4: 32, ipv6: 64 });
  assert.deepEqual(parseNetBlockSize('24'), { ipv4: 24, ipv6: 128 });
  assert.match(parseNetBlockSize('33:64') as string, /prefix lengths of at most 32 and 128/);
  assert.match(parseNetBlockSize('32:129') as string, /prefix lengths of at most 32 and 128/);
  assert.match(parseNetBlockSize('/24') as string, /not ipv4bits:ipv6bits/);
});

test('random early drop: none below start, all at full, sshd\'s linear probability in between', () => {
  const spec = { start: 10, rate: 30, full: 100 };
  const always = (): number => 0; // the lowest draw: dropped whenever the probability is above 0
  const never = (): number => 0.999; // the highest draw: dropped only at 100 %
  assert.equal(shouldDrop(9, spec, always), false);
  assert.equal(shouldDrop(10, spec, always), true);
  assert.equal(shouldDrop(10, spec, never), false);
  assert.equal(shouldDrop(99, spec, never), false);
  assert.equal(shouldDrop(100, spec, never), true);
  assert.equal(shouldDrop(250, spec, never), true);
  // At 55 held: 30 + (70 * 45) / 90 = 65 %: draws 0.64 (64 < 65) drop, 0.65 does not.
  assert.equal(shouldDrop(55, spec, () => 0.64), true);
  assert.equal(shouldDrop(55, spec, () => 0.65), false);
  // A single number: everything from N on is refused.
  assert.equal(shouldDrop(4, { start: 5, rate: 100, full: 5 }, never), false);
  assert.equal(shouldDrop(5, { start: 5, rate: 100, full: 5 }, never), true);
  // Over many draws the share dropped at start is the rate.
  let dropped = 0;
  for (let i = 0; i < 1000; i++) if (shouldDrop(10, spec, () => i / 1000)) dropped++;
  assert.equal(dropped, 300);
});

test('source netblocks: IPv4 (also IPv4-mapped) and IPv6 masked to the configured prefixes', () => {
  const size = { ipv4: 32, ipv6: 64 };
  assert.equal(sourceBlock('192.0.2.7', size), '192.0.2.7/32');
  assert.equal(sourceBlock('::ffff:192.0.2.7', size), '192.0.2.7/32', 'a dual-stack listener sees IPv4 clients this way');
  assert.equal(sourceBlock('192.0.2.7', { ipv4: 24, ipv6: 64 }), '192.0.2.0/24');
  assert.equal(sourceBlock('192.0.2.7', { ipv4: 0, ipv6: 64 }), '0.0.0.0/0');
  assert.equal(sourceBlock('2001:db8:1:2:3:4:5:6', size), '2001:db8:1:2:0:0:0:0/64');
  assert.equal(sourceBlock('2001:db8:1:2::9', size), sourceBlock('2001:db8:1:2:ffff::1', size), 'one /64, one block');
  assert.notEqual(sourceBlock('2001:db8:1:2::9', size), sourceBlock('2001:db8:1:3::9', size));
  assert.equal(sourceBlock('2001:db8::1', { ipv4: 32, ipv6: 128 }), '2001:db8:0:0:0:0:0:1/128');
  assert.equal(sourceBlock('2001:db8:ab:cdef::1', { ipv4: 32, ipv6: 52 }), '2001:db8:ab:c000:0:0:0:0/52');
  assert.equal(sourceBlock('fe80::1%eth0', size), 'fe80:0:0:0:0:0:0:0/64');
  assert.equal(sourceBlock('::1', size), '0:0:0:0:0:0:0:0/64');
  assert.equal(sourceBlock(undefined, size), 'other:');
});
