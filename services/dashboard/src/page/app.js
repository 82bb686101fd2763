/**
 * The dashboard page: a header (mode, filters, pause, time-travel scrubber) and four
 * views (Topology, Traffic, Services, Chaos). Everything is derived from the store, which
 * follows the log and the flow stream.
 */
import { render } from 'preact';
import { Anatomy } from './anatomy.js';
import { ChaosView } from './chaos.js';
import { html } from './html.js';
import { useEffect, useMemo, useRef, useState } from './hooks.js';
import { indexSummaries, ipOf, serviceOf } from './model.js';
import { createStore } from './store.js';
import { TopologyGraph } from './topology.js';
import { TopologyTable } from './topology-table.js';
import { ConnectionsTable, DnsTable, SharesTable, Trace } from './traffic.js';

const store = createStore();

function useStore() {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion(store.get().version)), []);
  return store.get();
}

function filterIndex(index, f) {
  // Unfiltered, the index itself: its unchanged parts keep their identity for the views' memos.
  if (!f.namespace && !f.service && !f.node) return index;
  const podOk = (p) => (!f.namespace || p.namespace === f.namespace) && (!f.node || p.node === f.node);
  const pods = index.pods.filter(podOk);
  const services = index.services.filter(
    (s) => (!f.namespace || s.namespace === f.namespace) && (!f.service || `${s.namespace}/${s.name}` === f.service),
  );
  const nodes = index.nodes.filter((n) => !f.node || n.name === f.node);
  return { ...index, pods, services, nodes };
}

function filterFlows(flows, f, index, s) {
  return flows.filter((r) => {
    if (s.mode === 'replay' && r.startedAt > s.time) return false;
    if (r.kind === 'dns') {
      if (f.result) return false;
      if (f.node && r.node !== f.node) return false;
      if (f.service && !r.name.startsWith(`${f.service.split('/')[1]}.${f.service.split('/')[0]}.`)) return false;
      if (f.namespace && index.podByIP.get(ipOf(r.client))?.namespace !== f.namespace) return false;
      return true;
    }
    if (f.result && r.result !== f.result) return false;
    if (f.node && r.node !== f.node) return false;
    if (f.service && serviceOf(r.service) !== f.service) return false;
    if (f.namespace && serviceOf(r.service).split('/')[0] !== f.namespace) return false;
    return true;
  });
}

function Scrubber({ s }) {
  const [value, setValue] = useState(s.seq);
  const [playing, setPlaying] = useState(false);
  useEffect(() => setValue(s.seq), [s.seq]);
  const go = (n) => void store.travel(Math.max(1, Math.min(s.head, n)));
  // Play: one event forward every 400 ms until the head, then live.
  useEffect(() => {
    if (!playing) return undefined;
    const timer = setTimeout(() => {
      if (s.seq >= s.head) {
        setPlaying(false);
        void store.goLive();
      } else go(s.seq + 1);
    }, 400);
    return () => clearTimeout(timer);
  }, [playing, s.seq]);
  return html`<span class="scrubber" data-testid="scrubber">
    <button onClick=${() => go(s.seq - 1)} title="one event back">−1</button>
    <input type="range" min="1" max=${Math.max(1, s.head)} value=${value}
      onInput=${(e) => setValue(Number(e.target.value))} onChange=${(e) => go(Number(e.target.value))} />
    <button onClick=${() => go(s.seq + 1)} title="one event forward">+1</button>
    ${s.mode === 'replay' ? html`<button data-testid="play" onClick=${() => setPlaying(!playing)}>${playing ? 'Stop' : 'Play'}</button>` : ''}
    ${s.mode === 'replay' ? html`<button onClick=${() => void store.goLive()}>LIVE</button>` : ''}
    <span class="dim">${new Date(s.time || Date.now()).toISOString().slice(11, 19)}</span>
  </span>`;
}

function App() {
  const s = useStore();
  const [tab, setTab] = useState(new URLSearchParams(location.search).get('view') ?? 'topology');
  const [filters, setFilters] = useState({ namespace: '', service: '', node: '', result: '' });
  const [selected, setSelected] = useState(undefined);
  const [svcKey, setSvcKey] = useState(undefined);
  // Each index is derived from the previous one (model.js): a change costs one pass, not a rebuild.
  const lastIndex = useRef(undefined);
  const index = useMemo(() => {
    lastIndex.current = indexSummaries(s.summaries, lastIndex.current);
    return lastIndex.current;
  }, [s.version]);
  const shown = useMemo(() => filterIndex(index, filters), [index, filters]);
  const flows = useMemo(() => filterFlows(s.flows, filters, index, s), [s.version, filters]);
  const namespaces = useMemo(() => [...new Set(index.pods.map((p) => p.namespace))].sort(), [index.pods]);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });
  const svc =
    index.services.find((x) => x.key === svcKey) ??
    shown.services.find((x) => x.namespace !== 'kube-system' && x.name !== 'kubernetes');
  const badge =
    s.mode === 'replay'
      ? html`<span class="badge replay" data-testid="mode">REPLAY at seq ${s.seq}</span>`
      : s.paused
        ? html`<span class="badge paused" data-testid="mode">PAUSED at seq ${s.seq}</span>`
        : html`<span class="badge live" data-testid="mode">LIVE seq ${s.seq}</span>`;
  return html`
    <header>
      <h1>kemu dashboard</h1>${badge}
      <nav>
        ${['topology', 'traffic', 'services', 'chaos'].map(
          (t) =>
            html`<button class=${tab === t ? 'on' : ''} data-tab=${t} onClick=${() => setTab(t)}>${t[0].toUpperCase() + t.slice(1)}</button>`,
        )}
      </nav>
      <span class="filters">
        <select onChange=${set('namespace')} data-filter="namespace"><option value="">all namespaces</option>${namespaces.map((n) => html`<option>${n}</option>`)}</select>
        <select onChange=${set('service')} data-filter="service"><option value="">all Services</option>${index.services.map((x) => html`<option>${x.namespace}/${x.name}</option>`)}</select>
        <select onChange=${set('node')} data-filter="node"><option value="">all nodes</option>${index.nodes.map((n) => html`<option>${n.name}</option>`)}</select>
        <select onChange=${set('result')} data-filter="result"><option value="">all results</option>${['ok', 'refused', 'timeout', 'reset', 'no-endpoints'].map((r) => html`<option>${r}</option>`)}</select>
      </span>
      <button data-testid="pause" onClick=${() => store.setPaused(!s.paused)} disabled=${s.mode === 'replay'}>${s.paused ? 'Resume' : 'Pause'}</button>
      <${Scrubber} s=${s} />
    </header>
    <main>
      ${
        tab === 'topology'
          ? html`<${TopologyGraph} index=${shown} /><${TopologyTable} index=${shown} />`
          : tab === 'chaos'
            ? html`<${ChaosView} s=${s} filters=${filters} />`
            : tab === 'traffic'
              ? html`<${Trace} index=${index} flow=${selected} flows=${s.flows} seq=${s.seq} />
                <${SharesTable} index=${index} flows=${flows} />
                <${ConnectionsTable} index=${index} flows=${flows} selected=${selected} onSelect=${setSelected} />
                <${DnsTable} index=${index} flows=${flows} />`
              : html`<div class="filters">Service:
                  <select data-testid="anatomy-service" onChange=${(e) => setSvcKey(e.target.value)}>
                    ${shown.services.map((x) => html`<option value=${x.key} selected=${svc?.key === x.key}>${x.namespace}/${x.name}</option>`)}
                  </select></div>
                <${Anatomy} index=${index} svc=${svc} flows=${flows} seq=${s.seq} />`
      }
    </main>`;
}

const at = /^seq:(\d+)$/.exec(new URLSearchParams(location.search).get('at') ?? '');
void store.start(at ? Number(at[1]) : undefined).then(() => {
  document.body.dataset.ready = 'true';
});
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
