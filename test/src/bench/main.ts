/**
 * `pnpm bench`: kemu's data-plane and control-plane figures measured side by side in one
 * run on this machine, as medians and as ratios against going directly to the pod, with
 * haproxy (tcp mode, Debian's package) on the same hop as the peer to beat. Prints a
 * table and writes it (and the raw samples) under bench-results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureTools } from './tools.js';
import { measureUp } from './up-time.js';
import { measureDataPlane } from './data-plane.js';
import { measureKillToRemoval } from './kill-to-removal.js';
import { measureDns } from './dns.js';
import { measureApiserver } from './api-latency.js';
import { measurePodStartup } from './pod-startup.js';
import { measureSnapshotStartup } from './snapshot-startup.js';
import { measureCompose } from './compose.js';
import { measureFlowOverhead } from './flow-overhead.js';
import { measureDashboard } from './dashboard-paint.js';
import { measureSubjectLayout } from './subject-layout.js';
import { measureInformerReads } from './informer-reads.js';
import { measurePortForward } from './port-forward.js';
import { measureNftablesSync } from './nftables-sync.js';
import { measureHollow } from './hollow-scale.js';
import { measureGrowth } from './growth-rows.js';
import { apiserverScaleRows, measureApiserverScaleSamples } from './apiserver-scale.js';
import { type Row, formatTable } from './table.js';
import { repoRoot } from '../kemu-cluster.js';
import { configFromEnv } from './config.js';

const {
  rounds,
  kills,
  upRuns,
  dnsRounds,
  snapshotRuns,
  composeRounds,
  subjectLayoutPods,
  informerReadPods,
  portForwardRounds,
  nftablesSyncServices,
  flowRounds,
  dashboardPods,
  hollowRuns,
  growthPods,
  apiserverScalePods,
} = configFromEnv(process.env);

async function main(): Promise<void> {
  const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  await ensureTools(progress);
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};

  if (upRuns > 0) {
    const up = await measureUp(progress, upRuns);
    rows.push(...up.rows);
    raw.up = up.samples;
  }

  if (hollowRuns > 0) {
    const hollow = await measureHollow(progress, hollowRuns);
    rows.push(...hollow.rows);
    raw.hollow = hollow.samples;
  }

  if (growthPods !== '0') {
    const growth = await measureGrowth(progress, growthPods.split(',').map(Number));
    rows.push(...growth.rows);
    raw.growth = growth.samples;
  }

  if (apiserverScalePods !== '0') {
    const samples = await measureApiserverScaleSamples(progress, apiserverScalePods.split(',').map(Number));
    rows.push(...apiserverScaleRows(samples));
    raw.apiserverScale = samples;
  }

  const apiserver = await measureApiserver(progress);
  rows.push(...apiserver.rows);
  raw.apiserver = apiserver.samples;

  const podStartup = await measurePodStartup(progress);
  rows.push(...podStartup.rows);
  raw.podStartup = podStartup.samples;

  const dp = await measureDataPlane(progress, rounds, kills, measureKillToRemoval);
  rows.push(...dp.rows);
  raw.dataPlane = dp.samples;
  const nft = await measureDataPlane(progress, rounds, kills, measureKillToRemoval, 'nftables');
  rows.push(...nft.rows);
  raw.dataPlaneNftables = nft.samples;

  if (nftablesSyncServices > 0) {
    const sync = await measureNftablesSync(progress, nftablesSyncServices);
    rows.push(...sync.rows);
    raw.nftablesSync = sync.samples;
  }

  if (portForwardRounds > 0) {
    const pf = await measurePortForward(progress, portForwardRounds);
    rows.push(...pf.rows);
    raw.portForward = pf.samples;
  }

  if (flowRounds > 0) {
    const flows = await measureFlowOverhead(progress, flowRounds);
    rows.push(...flows.rows);
    raw.flowRecording = flows.samples;
    const nftFlows = await measureFlowOverhead(progress, flowRounds, 'nftables');
    rows.push(...nftFlows.rows);
    raw.flowRecordingNftables = nftFlows.samples;
  }

  if (dashboardPods > 0) {
    const dashboard = await measureDashboard(progress, dashboardPods);
    rows.push(...dashboard.rows);
    raw.dashboard = dashboard.samples;
  }

  if (dnsRounds > 0) {
    const dns = await measureDns(progress, dnsRounds);
    rows.push(...dns.rows);
    raw.dns = dns.samples;
    const dnsNft = await measureDns(progress, dnsRounds, 3, 64, 'nftables');
    rows.push(...dnsNft.rows);
    raw.dnsNftables = dnsNft.samples;
  }

  if (snapshotRuns > 0) {
    const snapshots = await measureSnapshotStartup(progress, [10_000, 100_000], snapshotRuns);
    rows.push(...snapshots.rows);
    raw.snapshotStartup = snapshots.samples;
  }

  if (subjectLayoutPods > 0) {
    const layout = await measureSubjectLayout(progress, subjectLayoutPods);
    rows.push(...layout.rows);
    raw.subjectLayout = layout.samples;
  }

  if (informerReadPods > 0) {
    const reads = await measureInformerReads(progress, informerReadPods);
    rows.push(...reads.rows);
    raw.informerReads = reads.samples;
  }

  if (composeRounds > 0) {
    const compose = await measureCompose(progress, composeRounds);
    rows.push(...compose.rows);
    raw.compose = compose.samples;
  }

  const table = formatTable(rows);
  process.stdout.write(`${table}\n`);
  const dir = join(repoRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  await writeFile(join(dir, `bench-${stamp}.md`), `${table}\n`);
  await writeFile(join(dir, `bench-${stamp}.json`), `${JSON.stringify({ rows, raw }, null, 2)}\n`);
  progress(`written to bench-results/bench-${stamp}.md`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
