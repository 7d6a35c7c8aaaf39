/**
 * CPU and memory of processes, read from /proc. A role (e.g. "worker", "postgres") is a root pid plus all its live
 * descendants, so forking servers (postgres backends), launchers (npx, tsx) and their children are counted whole.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  // 100 is the Linux default
}
const PAGE = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpu: number;
  /** cutime + cstime of reaped children, seconds. */
  childCpu: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (i: number): number => Number(f[i - 3] ?? 0);
  return {
    pid,
    ppid: num(4),
    cpu: (num(14) + num(15)) / clkTck,
    childCpu: (num(16) + num(17)) / clkTck,
    rssBytes: num(24) * PAGE,
  };
}

function allStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.set(s.pid, s);
  }
  return out;
}

export interface Role {
  role: string;
  pid: number;
  /** Count only the process itself, not its descendants (the load generator, whose children are the systems). */
  self?: boolean;
}

export interface RoleSample {
  /** CPU seconds consumed so far by the tree (live processes plus reaped children of the root). */
  cpu: number;
  rssBytes: number;
  /** Proportional set size: shared pages split among their users, so forked servers are not counted N times. */
  pssBytes: number;
  procs: number;
  alive: boolean;
}

/** `machineCpu`: busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export type Snapshot = { t: number; roles: Record<string, RoleSample>; machineCpu: number };

function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy / clkTck;
  } catch {
    return NaN;
  }
}

/** One reading of every role's tree. */
export function sample(roles: Role[]): Snapshot {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: Record<string, RoleSample> = {};
  for (const { role, pid, self } of roles) {
    const root = stats.get(pid);
    if (!root) {
      out[role] = { cpu: 0, rssBytes: 0, pssBytes: 0, procs: 0, alive: false };
      continue;
    }
    let cpu = self ? 0 : root.childCpu;
    let rss = 0;
    let pss = 0;
    let procs = 0;
    const stack = [pid];
    while (stack.length) {
      const p = stack.pop()!;
      const s = stats.get(p);
      if (!s) continue;
      cpu += s.cpu;
      rss += s.rssBytes;
      pss += readPss(p) ?? s.rssBytes;
      procs++;
      if (!self) for (const c of children.get(p) ?? []) stack.push(c);
    }
    out[role] = { cpu, rssBytes: rss, pssBytes: pss, procs, alive: true };
  }
  return { t: Date.now(), roles: out, machineCpu: machineBusySeconds() };
}

export interface RoleUsage {
  /** CPU seconds used in the window. */
  cpuSeconds: number;
  /** Average CPU over the window, % of one core. */
  cpuPct: number;
  /** Peak RSS (summed over the tree) seen by the background sampler in the window, MB. */
  rssPeakMB: number;
  /** RSS at the end of the window, MB. */
  rssEndMB: number;
  /** Peak PSS (summed over the tree) in the window, MB: the memory a tree really holds. */
  pssPeakMB: number;
  /** PSS at the end of the window, MB. */
  pssEndMB: number;
}

/**
 * Samples roles once a second in the background (for peak RSS) and measures CPU between two marks.
 */
export class Sampler {
  private timer: NodeJS.Timeout | null = null;
  private peaks: Record<string, number> = {};
  private pssPeaks: Record<string, number> = {};
  constructor(private readonly roles: () => Role[]) {}

  start(): Snapshot {
    this.peaks = {};
    this.pssPeaks = {};
    const first = this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
    return first;
  }

  private tick(): Snapshot {
    const s = sample(this.roles());
    for (const [role, v] of Object.entries(s.roles)) {
      this.peaks[role] = Math.max(this.peaks[role] ?? 0, v.rssBytes);
      this.pssPeaks[role] = Math.max(this.pssPeaks[role] ?? 0, v.pssBytes);
    }
    return s;
  }

  /** Reset the RSS peaks (start of a new window). */
  mark(): Snapshot {
    this.peaks = {};
    this.pssPeaks = {};
    return this.tick();
  }

  /**
   * Usage between `from` and now, per role, plus `other`: CPU that every other process on the machine used meanwhile
   * (other programs competing for the same cores; a busy machine makes every number worse).
   */
  usageSince(from: Snapshot): Record<string, RoleUsage> {
    const to = this.tick();
    const wall = Math.max(0.001, (to.t - from.t) / 1000);
    const out: Record<string, RoleUsage> = {};
    let ours = 0;
    for (const [role, end] of Object.entries(to.roles)) {
      const begin = from.roles[role];
      const cpuSeconds = Math.max(0, end.cpu - (begin?.cpu ?? 0));
      ours += cpuSeconds;
      out[role] = {
        cpuSeconds: round(cpuSeconds, 2),
        cpuPct: round((100 * cpuSeconds) / wall, 1),
        rssPeakMB: round((this.peaks[role] ?? end.rssBytes) / 2 ** 20, 1),
        rssEndMB: round(end.rssBytes / 2 ** 20, 1),
        pssPeakMB: round((this.pssPeaks[role] ?? end.pssBytes) / 2 ** 20, 1),
        pssEndMB: round(end.pssBytes / 2 ** 20, 1),
      };
    }
    const other = Math.max(0, to.machineCpu - from.machineCpu - ours);
    if (Number.isFinite(other)) {
      out.other = {
        cpuSeconds: round(other, 2),
        cpuPct: round((100 * other) / wall, 1),
        rssPeakMB: 0,
        rssEndMB: 0,
        pssPeakMB: 0,
        pssEndMB: 0,
      };
    }
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function round(x: number, d: number): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}

/** PSS of one process from /proc/<pid>/smaps_rollup (Linux ≥ 4.14), bytes; null when unreadable. */
function readPss(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The pid of the process listening on a TCP port on this host, from /proc/net/tcp{,6}; null if none is found. */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      const localPort = parseInt((cols[1] ?? '').split(':')[1] ?? '', 16);
      if (localPort === port && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = fs.readlinkSync(`/proc/${name}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1]!)) return Number(name);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
}

/** Total size in bytes of the files under a directory (0 when it does not exist). */
export function dirBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) total += dirBytes(p);
    else {
      try {
        total += fs.statSync(p).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
