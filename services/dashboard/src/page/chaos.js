/**
 * The chaos timeline view: the faults of `kemu chaos run` and of the one-off commands
 * (`kemu chaos kill-pod` …) on lanes (node, proxy, dns,
 * Service), each joined by a line to its consequences; a click on a fault shows only its
 * own. The timeline is built by the server (/api/chaos, at the page's sequence in
 * replay) and fetched again, at most every 500 ms, while the log or the flows move.
 * A table twin lists the same facts with the command that proves each.
 */
import { html } from './html.js';
import { useEffect, useRef, useState } from './hooks.js';

const LANE_H = 36;
const LEFT = 170;
const WIDTH = 1240;

const COLOR = {
  fault: '#c62828',
  ended: '#7d4cdb',
  pod: '#5a6b85',
  node: '#5a6b85',
  'endpoint-removed': '#e67e00',
  'proxy-dropped': '#1f6fd1',
  'proxy-programmed': '#6cb6ff',
  failed: '#c62828',
  retried: '#e6a100',
  'dns-failed': '#c62828',
  recovered: '#2e9d57',
};

/** A lane's name as the user reads it. */
export function laneLabel(lane) {
  if (lane.startsWith('node:')) return `node ${lane.slice(5)}`;
  if (lane.startsWith('proxy:')) return `proxy on ${lane.slice(6)}`;
  if (lane.startsWith('service:')) return `Service ${lane.slice(8)}`;
  return lane;
}

const offset = (ms) => `${ms >= 0 ? '+' : ''}${ms >= 1000 || ms <= -1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms} ms`}`;

const SHORT = {
  'endpoint-removed': 'removed',
  'proxy-dropped': 'dropped',
  'proxy-programmed': 'programmed',
  'dns-failed': 'dns failed',
};
const shortName = (c) => (c.kind === 'pod' || c.kind === 'node' ? c.what.split(' ').pop() : (SHORT[c.kind] ?? c.kind));

/**
 * x of every item: by time, but at least GAP after the item before it, so facts a few ms
 * apart stay readable; squeezed back into the width when that runs over.
 */
export function placeItems(t) {
  const all = t.faults
    .flatMap((f) => [f, ...f.consequences])
    .sort((a, b) => a.at - b.at || (a.seq ?? 0) - (b.seq ?? 0));
  const GAP = 70;
  const room = WIDTH - LEFT - 90;
  const span = Math.max(1, t.to - t.from);
  const pos = new Map();
  let prev = -Infinity;
  for (const it of all) {
    const p = Math.max(((it.at - t.from) / span) * room, prev + GAP);
    pos.set(it, p);
    prev = p;
  }
  const scale = prev > room ? room / prev : 1;
  return { all, x: (it) => LEFT + 20 + (pos.get(it) ?? 0) * scale };
}

/** Fetches the timeline for the store's position, throttled. */
function useTimeline(s) {
  const [data, setData] = useState(undefined);
  const last = useRef({ at: 0, timer: undefined, key: '' });
  const key = s.mode === 'replay' ? `seq:${s.seq}` : 'live';
  useEffect(() => {
    // Not before the store has its first state (a replayed page would show the head first), nor while paused.
    if (s.seq === 0 || s.paused) return;
    const l = last.current;
    const run = () => {
      l.timer = undefined;
      l.at = Date.now();
      const k = key;
      void fetch(s.mode === 'replay' ? `/api/chaos?at=${s.seq}` : '/api/chaos')
        .then((r) => r.json())
        .then((d) => {
          if (l.key !== k) return;
          setData(d);
          // The server was still reading the log: ask again.
          if (!d.complete && !l.timer) l.timer = setTimeout(run, 1000);
        });
    };
    if (l.key !== key) {
      l.key = key;
      clearTimeout(l.timer);
      run();
    } else if (!l.timer) l.timer = setTimeout(run, Math.max(0, l.at + 500 - Date.now()));
  }, [s.version, key]);
  useEffect(() => () => clearTimeout(last.current.timer), []);
  return data;
}

/** Whether a timeline item passes the page's filters (node, Service, namespace; results are connections'). */
export function passes(item, f) {
  const [kind, name] = item.lane.split(/:(.*)/);
  if (f.node && (kind === 'node' || kind === 'proxy') && name !== f.node) return false;
  if (f.service && kind === 'service' && name !== f.service) return false;
  if (f.namespace && kind === 'service' && name.split('/')[0] !== f.namespace) return false;
  return true;
}

/** The timeline narrowed to the filters: faults that pass, with the consequences that pass. */
export function filterTimeline(t, f) {
  const faults = t.faults
    .filter((x) => passes(x, f))
    .map((x) => ({ ...x, consequences: x.consequences.filter((c) => passes(c, f)) }));
  const used = new Set(faults.flatMap((x) => [x.lane, ...x.consequences.map((c) => c.lane)]));
  return { ...t, faults, lanes: t.lanes.filter((l) => used.has(l)) };
}

/** The chaos view. */
export function ChaosView({ s, filters }) {
  const fetched = useTimeline(s);
  const t = fetched && filterTimeline(fetched, filters);
  const [sel, setSel] = useState(undefined);
  if (!t) return html`<p class="dim">loading the chaos timeline…</p>`;
  if (t.faults.length === 0)
    return html`<p data-testid="chaos-empty">No chaos fault in the log up to seq ${t.seq}. Run one with
      <code class="kubectl">kemu chaos run FILE.yaml</code> or a one-off
      <code class="kubectl">kemu chaos kill-pod -l app=web</code>; its faults appear here live.</p>`;
  const { x, all } = placeItems(t);
  const y = (lane) => 30 + t.lanes.indexOf(lane) * LANE_H + LANE_H / 2;
  const height = 40 + t.lanes.length * LANE_H;
  const dim = (id) => (sel && sel !== id ? 0.15 : 1);
  return html`
    <h2>Chaos timeline <code class="kubectl">kubectl get events -A --field-selector reportingComponent=kemu-chaos</code></h2>
    <svg data-testid="chaos-graph" width=${WIDTH} height=${height} style="background:#fff;border:1px solid #d5dae2">
      ${t.lanes.map(
        (lane, i) => html`<g data-lane=${lane}>
          <rect x="0" y=${30 + i * LANE_H} width=${WIDTH} height=${LANE_H} fill=${i % 2 ? '#f6f7f9' : '#fff'} />
          <text x="8" y=${30 + i * LANE_H + LANE_H / 2 + 4} font-size="12" font-weight="600">${laneLabel(lane)}</text>
        </g>`,
      )}
      <text x=${LEFT} y="16" font-size="11" fill="#7a8494">${new Date(t.from).toISOString().slice(11, 23)} → ${new Date(t.to).toISOString().slice(11, 23)} (time order; spacing grows with time where there is room)</text>
      ${t.faults.map(
        (
          f,
        ) => html`<g data-fault=${f.id} opacity=${dim(f.id)} style="cursor:pointer" onClick=${() => setSel(sel === f.id ? undefined : f.id)}>
          ${f.consequences.map(
            (
              c,
            ) => html`<path d=${`M${x(f)},${y(f.lane)} C${x(f) + 30},${y(f.lane)} ${x(c) - 30},${y(c.lane)} ${x(c)},${y(c.lane)}`}
              fill="none" stroke="#9aa6b8" stroke-width="1" />`,
          )}
          ${f.consequences.map(
            (
              c,
            ) => html`<g data-kind=${c.kind}><circle cx=${x(c)} cy=${y(c.lane)} r="6" fill=${COLOR[c.kind]} stroke="#fff" />
              <text x=${x(c)} y=${y(c.lane) + (all.indexOf(c) % 2 ? 17 : -9)} font-size="10" text-anchor="middle" fill="#1d2430">${shortName(c)} ${offset(c.at - f.at)}</text>
              <title>${c.what}\n${c.proof}</title></g>`,
          )}
          <rect x=${x(f) - 7} y=${y(f.lane) - 7} width="14" height="14" fill=${COLOR.fault} transform=${`rotate(45 ${x(f)} ${y(f.lane)})`} />
          <text x=${x(f)} y=${y(f.lane) - 10} font-size="11" font-weight="600" text-anchor="middle" fill="#c62828">${f.action}</text>
          <title>${f.what}\n${f.proof}</title>
        </g>`,
      )}
    </svg>
    <${ChaosTable} t=${t} sel=${sel} onSelect=${setSel} />`;
}

/** The table twin: each fault, then its consequences with their offset from it. */
function ChaosTable({ t, sel, onSelect }) {
  return html`<table data-testid="chaos-table">
    <thead><tr><th>time</th><th>seq</th><th>lane</th><th>what</th><th>proves it</th></tr></thead>
    <tbody>
      ${t.faults
        .filter((f) => !sel || f.id === sel)
        .map(
          (f) => html`
          <tr class=${`click${sel === f.id ? ' sel' : ''}`} data-fault=${f.id} data-kind="fault" onClick=${() => onSelect(sel === f.id ? undefined : f.id)}>
            <td>${new Date(f.at).toISOString().slice(11, 23)}</td><td>${f.seq ?? ''}</td><td>${laneLabel(f.lane)}</td>
            <td class="bad"><b>${f.what}</b> <span class="dim">(${f.experiment})</span></td><td><code class="kubectl">${f.proof}</code></td>
          </tr>
          ${f.consequences.map(
            (c) => html`<tr data-kind=${c.kind} data-lane=${c.lane} data-of=${f.id}>
              <td class="dim">${offset(c.at - f.at)}</td><td>${c.seq ?? ''}</td><td>${laneLabel(c.lane)}</td>
              <td class=${c.kind === 'recovered' ? 'ok' : c.kind === 'failed' || c.kind === 'dns-failed' ? 'bad' : ''}>${c.what}</td>
              <td><code class="kubectl">${c.proof}</code></td>
            </tr>`,
          )}`,
        )}
    </tbody>
  </table>`;
}
