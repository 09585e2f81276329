// The `ssh:` section tests start from: loopback on a free port, no limits or timers, each test overriding what it checks.
import type { SshConfig } from '../../src/config/types.js';

export function testSshConfig(overrides: Partial<SshConfig> = {}): SshConfig {
  return {
    listen: '127.0.0.1:0',
    serverVersion: 'SSH-2.0-cssh',
    banner: '',
    ciphers: [],
    kex: [],
    macs: [],
    hostkeys: [],
    clientAliveInterval: 0,
    clientAliveCountMax: 3,
    loginGraceTime: 0,
    maxStartups: '10:30:100',
    perSourceMaxStartups: -1,
    perSourceNetBlockSize: '32:64',
    shutdownTimeout: 30000,
    ...overrides,
  };
}
