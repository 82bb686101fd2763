/** The growth table's rows: each figure across sizes, with the exponent between sizes as its growth. */
import type { GrowthSample } from './growth-table.js';
import { measureGrowthSamples } from './growth-table.js';
import type { Row } from './table.js';

/** Names the growth from size n1 to n2 given values v1 and v2 (exponent k of v ∝ n^k). */
export function growthNote(n1: number, v1: number, n2: number, v2: number): string {
  if (!(v1 > 0 && v2 > 0) || n1 === n2) return '';
  const k = Math.log(v2 / v1) / Math.log(n2 / n1);
  const kind =
    k < 0.25
      ? 'flat'
      : k < 0.8
        ? 'sublinear'
        : k < 1.2
          ? 'linear'
          : k < 1.6
            ? 'superlinear (n log n or worse)'
            : 'quadratic';
  return `×${(v2 / v1).toFixed(1)} for ×${(n2 / n1).toFixed(0)}: ${kind} (n^${k.toFixed(2)})`;
}

/** The exponent of the growth over the whole range (first to last size). */
function exponent(samples: readonly GrowthSample[], f: (s: GrowthSample) => number): number {
  const a = samples[0] as GrowthSample;
  const b = samples[samples.length - 1] as GrowthSample;
  if (a.pods === b.pods) return 1;
  return Math.log(f(b) / f(a)) / Math.log(b.pods / a.pods);
}

/** The table rows for the samples, one per figure. */
export function growthRows(samples: readonly GrowthSample[]): Row[] {
  if (samples.length === 0) return [];
  const a = samples[0] as GrowthSample;
  const b = samples[samples.length - 1] as GrowthSample;
  const sizes = samples.map((s) => `${s.pods / 1000}k`).join(' → ');
  const row = (figure: string, f: (s: GrowthSample) => number, fmt: (v: number) => string, target?: string): Row => ({
    figure: `growth ${sizes} pods: ${figure}`,
    value: samples.map((s) => fmt(f(s))).join(' → '),
    ratio: growthNote(a.pods, f(a), b.pods, f(b)),
    target,
  });
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const seconds = (v: number) => `${v.toFixed(1)} s`;
  const mib = (v: number) => `${v.toFixed(0)} MiB`;
  const rows: Row[] = [
    row('apiserver list all pods, JSON', (s) => s.listJsonMs, ms),
    row('apiserver list all pods, Table', (s) => s.listTableMs, ms),
    row('apiserver list all pods, limit=500 pages', (s) => s.listPagedMs, ms),
    row('apiserver list all pods, limit=500 pages, apiserver CPU', (s) => s.listPagedCpuMs, ms),
    row('`kubectl get pods -A` (whole process)', (s) => s.kubectlMs, ms),
    row(
      `endpoint removal → every real proxy, p50 (${samples.map((s) => s.services).join('/')} Services)`,
      (s) => s.proxyP50Ms,
      ms,
    ),
    row('endpoint removal → every real proxy, p99', (s) => s.proxyP99Ms, ms, '≤ 1 s at 10k'),
    row('growth Deployment scale-up → all its pods Ready', (s) => s.growthS, seconds),
    row('controller CPU per 1000 pods started (growth and rollout)', (s) => s.controllerCpuPer1000, seconds),
    row('1000-pod Service: scale-up → EndpointSlices hold all', (s) => s.reconcileS, seconds),
    row(
      'event-log appends during that 1000-pod rollout',
      (s) => s.appendPerS,
      (v) => `${v.toFixed(0)} /s`,
    ),
    row('apiserver SIGKILL → restarted from snapshot → first list', (s) => s.startupMs, ms, '≤ 1 s'),
  ];
  const kinds = Object.keys(b.rssMiB).sort();
  for (const k of kinds)
    rows.push(row(`RSS ${k} (largest per node)`, (s) => s.rssMiB[k] ?? Number.NaN, mib, '≤ 300 MB at 10k'));
  // The component that reaches 300 MB first, extrapolating each RSS along its own exponent.
  const at10k = kinds.map((k) => ({
    k,
    mib: (b.rssMiB[k] ?? 0) * (10_000 / b.pods) ** exponent(samples, (s) => s.rssMiB[k] ?? 0),
  }));
  const first = at10k.sort((x, y) => y.mib - x.mib)[0];
  if (first)
    rows.push({
      figure: `growth: component that limits first (RSS extrapolated to 10k pods)`,
      value: `${first.k} ≈ ${first.mib.toFixed(0)} MiB`,
      target: '≤ 300 MB',
    });
  return rows;
}

/** Measures the growth table at `sizes` pods and returns its rows and samples. */
export async function measureGrowth(
  progress: (m: string) => void,
  sizes: number[],
): Promise<{ rows: Row[]; samples: GrowthSample[] }> {
  const samples = await measureGrowthSamples(progress, sizes);
  return { rows: growthRows(samples), samples };
}
