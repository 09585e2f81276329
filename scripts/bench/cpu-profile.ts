// Reading V8 .cpuprofile files: folded stacks (one "a;b;c count" line per stack, flame-graph input) and self time.

/** The parts of V8's CPU profile format (Chrome DevTools' Profiler.Profile) this reader uses. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

type Node = CpuProfile['nodes'][number];

/** "function (file:line)", with the file shortened to what follows node_modules/ or src/. */
function frameName(node: Node): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules|src|scripts|test)\//, '$1/').replace(/^file:\/\//, '');
  const name = functionName === '' ? '(anonymous)' : functionName;
  return file === '' ? name : `${name} (${file}:${lineNumber + 1})`;
}

/** Microseconds of samples per node id (each sample's time is the delta to the next one). */
function timePerNode(profile: CpuProfile): Map<number, number> {
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    time.set(id, (time.get(id) ?? 0) + Math.max(delta, 0));
  });
  return time;
}

/** Microseconds sampled outside the idle node: how busy the profiled thread was. */
export function busyMicros(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  let busy = 0;
  for (const [id, us] of timePerNode(profile)) if (!idle.has(id)) busy += us;
  return busy;
}

/** Folded stacks, root first, with microseconds as the count: the input of flamegraph.pl and speedscope. */
export function foldStacks(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const lines: string[] = [];
  for (const [id, us] of timePerNode(profile)) {
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node !== undefined && node.callFrame.functionName !== '(root)') stack.unshift(frameName(node).replace(/;/g, ','));
    }
    if (us > 0) lines.push(`${stack.join(';')} ${Math.round(us)}`);
  }
  return lines.sort().join('\n') + '\n';
}

/** The `top` functions by self time, as a text table with each one's share of all samples. */
export function selfTimeTable(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const perFrame = new Map<string, number>();
  let total = 0;
  for (const [id, us] of timePerNode(profile)) {
    const node = byId.get(id);
    if (node === undefined) continue;
    total += us;
    const name = frameName(node);
    perFrame.set(name, (perFrame.get(name) ?? 0) + us);
  }
  const rows = [...perFrame].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`self ms | share | function (${(total / 1000).toFixed(0)} ms sampled)`,
    ...rows.map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} | ${((100 * us) / total).toFixed(1).padStart(4)}% | ${name}`)].join('\n');
}
