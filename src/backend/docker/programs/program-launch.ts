// What every program start carries, whether it runs as an exec (connection mode) or as a container (session mode).
import type { SessionIO } from '../../../core/contracts.js';
import type { TtySize } from '../engine/docker-engine.js';

export interface ProgramLaunch {
  argv: string[];
  /** Channel env (SSH env requests and TERM) as K=V. */
  env: string[];
  tty: boolean;
  size?: TtySize;
  io: SessionIO;
  /** The commandStart deadline. */
  signal: AbortSignal;
}
