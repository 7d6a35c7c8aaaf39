import type { RoleUsage } from './procstat';
import type { CreateModeResult, CreateResult, DeliveryResult, IdleResult, ScenarioResult } from './scenarios';
import { fmtMs } from './chart';

/** CPU (% of one core) used by processes outside the benchmark above which a run counts as disturbed. */
export const BUSY_PCT = 25;

export interface RunRecord {
  repeat: number;
  ok: boolean;
  /** CPU that processes outside the benchmark used during the run, % of one core. */
  otherCpuPct?: number;
  error?: string;
  seconds: number;
  result?: ScenarioResult;
}

export interface SystemCell {
  label: string;
  runs: RunRecord[];
  /** Field-by-field median over the successful runs. */
  median: ScenarioResult | null;
  skipped?: string;
}

export interface VariantReport {
  id: string;
  scenario: string;
  title: string;
  description: string;
  params: Record<string, unknown>;
  chart: string | null;
  systems: Record<string, SystemCell>;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  quick: boolean;
  repeats: number;
  machine: Record<string, unknown>;
  versions: Record<string, string>;
  systems: Record<string, { label: string; config: Record<string, unknown>; skipped?: string }>;
  variants: VariantReport[];
}

const SYSTEM_ROLES = (cpu: Record<string, RoleUsage>): [string, RoleUsage][] =>
  Object.entries(cpu).filter(([r]) => r !== 'receiver' && r !== 'loadgen' && r !== 'other');

const cpuText = (cpu: Record<string, RoleUsage>): string =>
  SYSTEM_ROLES(cpu)
    .map(([r, u]) => `${r} ${u.cpuPct}%`)
    .join(', ') || '–';
const memText = (cpu: Record<string, RoleUsage>, field: 'pssPeakMB' | 'pssEndMB' | 'rssPeakMB' | 'rssEndMB'): string =>
  SYSTEM_ROLES(cpu)
    .map(([r, u]) => `${r} ${Math.round(u[field])}`)
    .join(', ') || '–';
const n = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : String(x);
const int = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US');

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** CPU that other programs on the machine used during the runs (median), % of a core: high = disturbed run. */
function otherText(c: SystemCell): string {
  const xs = c.runs.map((r) => r.otherCpuPct).filter((x): x is number => typeof x === 'number');
  if (!xs.length) return '–';
  xs.sort((a, b) => a - b);
  return String(Math.round(xs[Math.floor(xs.length / 2)]!));
}

function cellStatus(c: SystemCell): string | null {
  if (c.skipped) return `skipped: ${c.skipped}`;
  if (!c.median) return `failed: ${c.runs.find((r) => r.error)?.error ?? 'no successful run'}`;
  return null;
}

function deliveryTable(v: VariantReport): string {
  const head = ['system', 'delivered', 'missing', 'dup', 'p50', 'p90', 'p99', 'max'];
  const burst = v.scenario === 'burst';
  if (burst) head.push('drain');
  head.push('CPU (% of a core)', 'peak memory MB (PSS)', 'other CPU %');
  const rows: string[][] = [];
  for (const [, c] of Object.entries(v.systems)) {
    const status = cellStatus(c);
    if (status) {
      rows.push([c.label, status, ...head.slice(2).map(() => '')]);
      continue;
    }
    const m = c.median as DeliveryResult;
    const row = [
      c.label,
      `${int(m.delivered)}/${int(m.expected)}`,
      int(m.missing),
      int(m.duplicates),
      fmtMs(m.lateness.p50),
      fmtMs(m.lateness.p90),
      fmtMs(m.lateness.p99),
      fmtMs(m.lateness.max),
    ];
    if (burst) row.push(m.drainMs === null ? '–' : fmtMs(m.drainMs));
    row.push(cpuText(m.cpu), memText(m.cpu, 'pssPeakMB'), otherText(c));
    rows.push(row);
  }
  return table(head, rows);
}

function createTable(v: VariantReport): string {
  const head = [
    'system',
    'concurrency 1: ev/s',
    'p99 ms',
    'concurrency 50: ev/s',
    'p99 ms',
    'batch of 1,000: ev/s',
    'batch call',
    'other CPU %',
  ];
  const rows: string[][] = [];
  const mode = (r: CreateModeResult | null): string[] => (r ? [int(r.perSecond), n(r.latencyP99Ms)] : ['–', '–']);
  for (const [, c] of Object.entries(v.systems)) {
    const status = cellStatus(c);
    if (status) {
      rows.push([c.label, status, '', '', '', '', '', '']);
      continue;
    }
    const m = c.median as CreateResult;
    rows.push([
      c.label,
      ...mode(m.c1),
      ...mode(m.c50),
      m.batch ? int(m.batch.perSecond) : 'n/a',
      m.batchKind ?? 'none',
      otherText(c),
    ]);
  }
  return table(head, rows);
}

function idleTable(v: VariantReport): string {
  const head = [
    'system',
    'pending',
    'CPU idle (% of a core)',
    'memory MB (PSS)',
    'worker RSS MB',
    'store bytes/event',
    'memory growth',
    'store ops/s',
    'other CPU %',
  ];
  const rows: string[][] = [];
  for (const [, c] of Object.entries(v.systems)) {
    const status = cellStatus(c);
    if (status) {
      rows.push([c.label, status, '', '', '', '', '', '', '']);
      continue;
    }
    const m = c.median as IdleResult;
    rows.push([
      c.label,
      int(m.pending),
      cpuText(m.cpu),
      memText(m.cpu, 'pssEndMB'),
      m.cpu.worker ? int(m.cpu.worker.rssEndMB) : m.cpu.service ? int(m.cpu.service.rssEndMB) : '–',
      m.storageBytesPerEvent === null ? '–' : `${int(m.storageBytesPerEvent)} (${m.storageWhat})`,
      // PostgreSQL's memory does not grow with rows (they are on disk: see store bytes); small changes are noise.
      Object.entries(m.memoryGrowth)
        .filter(([r]) => r !== 'postgres')
        .map(([r, g]) =>
          Math.abs(g.mb) < 5
            ? `${r} <5 MB`
            : g.mb < 0
              ? `${r} ${g.mb} MB`
              : `${r} +${g.mb} MB (${int(g.bytesPerEvent)} B/event)`,
        )
        .join(', ') || '–',
      m.opsPerSecond === null ? '–' : `${n(m.opsPerSecond)} (${m.opsWhat})`,
      otherText(c),
    ]);
  }
  return table(head, rows);
}

export function variantTable(v: VariantReport): string {
  if (v.scenario === 'create') return createTable(v);
  if (v.scenario === 'idle') return idleTable(v);
  return deliveryTable(v);
}

function notesOf(v: VariantReport): string[] {
  const out: string[] = [];
  for (const [, c] of Object.entries(v.systems)) {
    const notes = new Set<string>();
    for (const r of c.runs) {
      if (r.error) notes.add(`run ${r.repeat}: ${r.error}`);
      for (const note of (r.result as { notes?: string[] } | undefined)?.notes ?? [])
        notes.add(`run ${r.repeat}: ${note}`);
    }
    for (const note of notes) out.push(`- ${c.label}: ${note}`);
  }
  return out;
}

export function markdown(rep: Report): string {
  const m = rep.machine;
  const lines: string[] = [];
  lines.push(`# scheduled-events benchmark — ${rep.startedAt}`);
  lines.push('');
  lines.push(
    `${rep.quick ? '**Quick mode** (small sizes, short durations). ' : ''}Medians over ${rep.repeats} run(s) per scenario and system. ` +
      `Command: \`${rep.command}\`; took ${Math.round(rep.durationS / 60)} min.`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpuModel} × ${m.cores} cores, ${m.memGiB} GiB, ${m.os}; Node ${m.node}. ` +
      Object.entries(rep.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      '.',
  );
  lines.push('');
  lines.push(
    'Lateness = arrival at the shared receiver − due time, in ms, one wall clock (everything on 127.0.0.1). ' +
      'CPU is the average over the scenario window as % of one core, read from /proc for each process tree ' +
      '(the receiver and the load generator are in the JSON); memory is PSS, so the processes of PostgreSQL are not ' +
      'counted N times. "other CPU %" is what programs outside the benchmark used meanwhile (median over runs): ' +
      `above ${BUSY_PCT} the machine was busy and every number of that row is pessimistic. "missing" = not delivered ` +
      'by the end of the wait bound. "Hasura" is an emulation of its 10 s polling loop on PostgreSQL, not Hasura itself.',
  );
  lines.push('');
  lines.push('Systems:');
  for (const [name, s] of Object.entries(rep.systems)) {
    lines.push(
      `- **${s.label}** (\`${name}\`)${s.skipped ? ` — skipped: ${s.skipped}` : ''}: ` +
        Object.entries(s.config)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(', '),
    );
  }
  for (const v of rep.variants) {
    lines.push('');
    lines.push(`## ${v.title}`);
    lines.push('');
    lines.push(v.description);
    lines.push('');
    lines.push(variantTable(v));
    const notes = notesOf(v);
    if (notes.length) {
      lines.push('');
      lines.push('Notes:');
      lines.push(...notes);
    }
    if (v.chart) {
      lines.push('');
      lines.push(`![${v.title}](${v.chart})`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
