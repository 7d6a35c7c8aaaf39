/**
 * Charts as hand-written SVG, turned into PNG by `rsvg-convert` (Debian librsvg2-bin): no browser, no download.
 * Lateness is drawn as a cumulative distribution on a log time axis, since it spans from a millisecond (the floor)
 * to ten seconds (a 10 s poller) in one picture.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { percentile } from './stats';

const PALETTE: Record<string, string> = {
  ours: '#d62728',
  floor: '#7f7f7f',
  bullmq: '#1f77b4',
  pgboss: '#2ca02c',
  'pgboss-fast': '#98df8a',
  graphile: '#9467bd',
  'graphile-fast': '#c5b0d5',
  hasura: '#ff7f0e',
};
const EXTRA = ['#8c564b', '#e377c2', '#17becf', '#bcbd22'];

export function colorOf(name: string, i: number): string {
  return PALETTE[name] ?? EXTRA[i % EXTRA.length]!;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const FONT = `font-family="DejaVu Sans, Arial, sans-serif"`;

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (a >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (a >= 100) return `${ms.toFixed(0)} ms`;
  if (a >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export interface CdfSeries {
  name: string;
  label: string;
  samples: number[];
  /** Events that were due; undelivered ones keep the line below 100%. */
  expected: number;
}

/**
 * Empirical CDF of lateness (ms) per system, as a share of the events that were due (so a system that missed events
 * never reaches 100%), log x axis. Samples at or below 0.1 ms are drawn at 0.1 ms.
 */
export function cdfSvg(title: string, subtitle: string, series: CdfSeries[]): string {
  const W = 1000;
  const H = 560;
  const L = 70;
  const R = 300;
  const T = 70;
  const B = 60;
  const pw = W - L - R;
  const ph = H - T - B;
  const FLOOR = 0.1;
  const all = series.flatMap((s) => s.samples);
  const maxV = Math.max(FLOOR * 10, ...all.map((v) => (Number.isFinite(v) ? v : 0)));
  const lo = Math.log10(FLOOR);
  const hi = Math.ceil(Math.log10(maxV));
  const x = (v: number): number => L + ((Math.log10(Math.max(FLOOR, v)) - lo) / (hi - lo)) * pw;
  const y = (q: number): number => T + ph - q * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="28" ${FONT} font-size="18" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${L}" y="50" ${FONT} font-size="12" fill="#555">${esc(subtitle)}</text>`);
  // grid: decades and their 2x/5x
  for (let d = lo; d <= hi; d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (Math.log10(v) > hi + 1e-9) continue;
      const gx = x(v);
      out.push(`<line x1="${gx}" y1="${T}" x2="${gx}" y2="${T + ph}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`);
      if (m === 1 || hi - lo <= 4) {
        out.push(
          `<text x="${gx}" y="${T + ph + 18}" ${FONT} font-size="11" text-anchor="middle">${esc(fmtMs(v))}</text>`,
        );
      }
    }
  }
  for (const q of [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
    out.push(
      `<line x1="${L}" y1="${y(q)}" x2="${L + pw}" y2="${y(q)}" stroke="${q === 0.99 ? '#f2b8b8' : '#e5e5e5'}"/>`,
    );
    if (q === 0.99) {
      out.push(
        `<text x="${L + pw - 4}" y="${y(q) + 12}" ${FONT} font-size="10" fill="#c66" text-anchor="end">99%</text>`,
      );
    } else {
      out.push(
        `<text x="${L - 6}" y="${y(q) + 4}" ${FONT} font-size="11" text-anchor="end">${Math.round(q * 100)}%</text>`,
      );
    }
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(
    `<text x="${L + pw / 2}" y="${H - 18}" ${FONT} font-size="12" text-anchor="middle">lateness = arrival at the receiver − due time (log scale)</text>`,
  );
  out.push(
    `<text x="18" y="${T + ph / 2}" ${FONT} font-size="12" text-anchor="middle" transform="rotate(-90 18 ${T + ph / 2})">events delivered (cumulative)</text>`,
  );
  series.forEach((s, i) => {
    const color = colorOf(s.name, i);
    const v = [...s.samples].sort((a, b) => a - b);
    const ly = T + 10 + i * 46;
    out.push(`<rect x="${L + pw + 20}" y="${ly}" width="14" height="14" fill="${color}"/>`);
    out.push(`<text x="${L + pw + 40}" y="${ly + 12}" ${FONT} font-size="12">${esc(s.label)}</text>`);
    const total = Math.max(s.expected, v.length);
    const missing = total - v.length;
    const stats = v.length
      ? `p50 ${fmtMs(percentile(v, 50))} · p99 ${fmtMs(percentile(v, 99))} · ` +
        (missing ? `${v.length}/${total} delivered` : `n ${v.length}`)
      : 'no deliveries';
    out.push(`<text x="${L + pw + 40}" y="${ly + 28}" ${FONT} font-size="11" fill="#555">${esc(stats)}</text>`);
    if (!v.length) return;
    // At most ~1,500 steps per line: quantiles are enough for the eye.
    const step = Math.max(1, Math.floor(v.length / 1500));
    const pts: string[] = [`${x(v[0]!).toFixed(1)},${y(0).toFixed(1)}`];
    for (let k = 0; k < v.length; k += step) {
      const q = (k + 1) / total;
      pts.push(`${x(v[k]!).toFixed(1)},${y(q).toFixed(1)}`);
    }
    pts.push(`${x(v[v.length - 1]!).toFixed(1)},${y(v.length / total).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2.2"/>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface BarPanel {
  title: string;
  values: { name: string; label: string; value: number | null; text?: string }[];
}

/** Side-by-side panels of horizontal bars, each panel with its own linear scale. */
export function barsSvg(title: string, subtitle: string, panels: BarPanel[]): string {
  const rows = Math.max(1, ...panels.map((p) => p.values.length));
  const labelW = 30 + 7 * Math.max(10, ...panels.flatMap((p) => p.values.map((v) => v.label.length)));
  const panelW = 260;
  const rowH = 30;
  const T = 90;
  const W = labelW + panels.length * (panelW + 20) + 20;
  const H = T + rows * rowH + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="20" y="28" ${FONT} font-size="18" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="20" y="50" ${FONT} font-size="12" fill="#555">${esc(subtitle)}</text>`);
  const names = panels[0]?.values ?? [];
  names.forEach((v, i) => {
    out.push(
      `<text x="${labelW - 10}" y="${T + i * rowH + 19}" ${FONT} font-size="12" text-anchor="end">${esc(v.label)}</text>`,
    );
  });
  panels.forEach((p, pi) => {
    const px = labelW + pi * (panelW + 20);
    out.push(`<text x="${px}" y="${T - 12}" ${FONT} font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    const max = Math.max(1e-9, ...p.values.map((v) => (v.value !== null && Number.isFinite(v.value) ? v.value : 0)));
    p.values.forEach((v, i) => {
      const by = T + i * rowH + 5;
      if (v.value === null || !Number.isFinite(v.value)) {
        out.push(`<text x="${px + 4}" y="${by + 14}" ${FONT} font-size="11" fill="#999">n/a</text>`);
        return;
      }
      const w = Math.max(1, (v.value / max) * (panelW - 70));
      out.push(
        `<rect x="${px}" y="${by}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${colorOf(v.name, i)}"/>`,
      );
      out.push(
        `<text x="${px + w + 4}" y="${by + 14}" ${FONT} font-size="11">${esc(v.text ?? String(v.value))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

let rsvg: boolean | null = null;

/** Write `svg` next to `pngPath` and convert it; returns the file written (PNG, or the SVG when rsvg is missing). */
export function writeChart(svg: string, pngPath: string): string {
  const svgPath = pngPath.replace(/\.png$/, '.svg');
  fs.writeFileSync(svgPath, svg);
  if (rsvg === null) {
    try {
      execFileSync('rsvg-convert', ['--version'], { stdio: 'ignore' });
      rsvg = true;
    } catch {
      rsvg = false;
    }
  }
  if (!rsvg) return svgPath;
  execFileSync('rsvg-convert', ['-f', 'png', '-o', pngPath, svgPath]);
  fs.rmSync(svgPath);
  return pngPath;
}
