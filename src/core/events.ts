// Typed progress events the core emits and commands render (spinners, JSON) — the core never prints.

export type LifecyclePhase =
  | 'connect'
  | 'image-check'
  | 'pull'
  | 'create'
  | 'start'
  | 'exec'
  | 'program'
  | 'remove';

export type LifecycleEvent =
  | { type: 'phase-start'; phase: LifecyclePhase; detail?: string }
  | { type: 'phase-end'; phase: LifecyclePhase; ms: number; detail?: string }
  | { type: 'pull-progress'; layer: string; status: string; current?: number; total?: number }
  | { type: 'container'; id: string; mode: 'connection' | 'session' };
