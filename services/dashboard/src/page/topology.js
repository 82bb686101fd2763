/**
 * The topology graph: nodes as boxes holding their pods, Services in a column of their
 * own with an edge to each endpoint pod (solid when ready, dashed when not). Positions
 * come from a grid of stable slots (slots.js; cytoscape's preset layout): a fresh page
 * shows the same picture for the same cluster (rows in name order), and while it stays
 * open a new pod, Service or node takes a free slot and nothing else moves. A layered
 * layout (elkjs) was measured against it and lost: see the README's dashboard section.
 * Updates are diffs by element id, drawn in slices.
 */
import cytoscape from 'cytoscape';
import { html } from './html.js';
import { useEffect, useRef } from './hooks.js';
import { slicesOf } from './model.js';
import { assignSlots } from './slots.js';

const COL = 250;
const ROW = 52;

function columnsOf(index) {
  const podsOf = new Map(index.nodes.map((n) => [n.name, []]));
  const unscheduled = [];
  for (const p of index.pods) (podsOf.get(p.node) ?? unscheduled).push(p);
  const columns = index.nodes.map((n) => ({ id: `node:${n.name}`, name: n.name, pods: podsOf.get(n.name) ?? [] }));
  if (unscheduled.length > 0) columns.push({ id: 'node:(unscheduled)', name: '(unscheduled)', pods: unscheduled });
  return columns;
}

/** The slots of the Services, the node columns and each column's pods, keeping those of `prev`. */
export function topologySlots(index, prev = new Map()) {
  const columns = columnsOf(index);
  return assignSlots(
    prev,
    new Map([
      ['services', index.services.map((s) => s.key)],
      ['columns', columns.map((c) => c.id)],
      ...columns.map((c) => [c.id, c.pods.map((p) => p.key)]),
    ]),
  );
}

/**
 * A pod's element, the same object as long as its summary and place are the same (the
 * store keeps an unchanged object's summary), so an update skips it by identity.
 */
const podElements = new WeakMap();
function podElement(p, parent, x, y) {
  const hit = podElements.get(p);
  if (hit && hit.data.parent === parent && hit.position.x === x && hit.position.y === y) return hit;
  const el = {
    group: 'nodes',
    data: { id: `pod:${p.key}`, parent, label: `${p.name}\n${p.phase}${p.ready ? ' Ready' : ' NotReady'} ${p.ip}` },
    position: { x, y },
    classes: `pod ${p.role}${p.ready ? ' ready' : ' notready'}${p.deleting ? ' deleting' : ''}`,
  };
  podElements.set(p, el);
  return el;
}

/** Service, box and edge elements of the last graphElements call, by id: reused while unchanged. */
let reusable = new Map();

/** The element `el`, or the equal one made last time (same id, data, classes and position). */
function reuse(next, el) {
  const hit = reusable.get(el.data.id);
  const same =
    hit &&
    hit.classes === el.classes &&
    hit.position?.x === el.position?.x &&
    hit.position?.y === el.position?.y &&
    Object.keys(el.data).every((k) => hit.data[k] === el.data[k]);
  const out = same ? hit : el;
  next.set(el.data.id, out);
  return out;
}

/** The graph's elements with their positions from `slots` (topologySlots). */
export function graphElements(index, slots = topologySlots(index)) {
  // Unchanged elements are the objects of the last call, so an update skips them by identity.
  const next = new Map();
  const els = [];
  const row = (group, key) => slots.get(group)?.get(key) ?? 0;
  for (const s of index.services) {
    els.push(
      reuse(next, {
        group: 'nodes',
        data: { id: `svc:${s.key}`, label: `${s.namespace}/${s.name}\n${s.clusterIP || 'None'}`, kind: 'service' },
        position: { x: 0, y: row('services', s.key) * ROW },
        classes: 'service',
      }),
    );
  }
  const nodeByName = new Map(index.nodes.map((n) => [n.name, n]));
  for (const col of columnsOf(index)) {
    const c = row('columns', col.id);
    const node = nodeByName.get(col.name);
    els.push(
      reuse(next, {
        group: 'nodes',
        data: { id: col.id, label: node ? `${node.name}  ${node.ip}${node.ready ? '' : '  NotReady'}` : col.name },
        classes: `box${node && !node.ready ? ' notready' : ''}`,
      }),
    );
    for (const p of col.pods) els.push(podElement(p, col.id, 320 + c * COL, row(col.id, p.key) * ROW));
  }
  const podByIP = index.podByIP;
  for (const s of index.services) {
    for (const e of slicesOf(index, s)) {
      for (const ep of e.endpoints) {
        const p = podByIP.get(ep.ip);
        if (!p) continue;
        els.push(
          reuse(next, {
            group: 'edges',
            data: { id: `ep:${s.key}>${p.key}`, source: `svc:${s.key}`, target: `pod:${p.key}` },
            classes: ep.ready ? 'ready' : 'notready',
          }),
        );
      }
    }
  }
  reusable = next;
  return els;
}

const style = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'font-size': 10,
      // Labels too small to read are not drawn when the user zooms far out; the graph never opens that far out.
      'min-zoomed-font-size': 7,
      'text-valign': 'center',
      'text-halign': 'center',
      shape: 'round-rectangle',
      width: 190,
      height: 36,
      'background-color': '#e8f0fe',
      'border-width': 1,
      'border-color': '#8aa4c8',
    },
  },
  { selector: 'node.service', style: { 'background-color': '#fff4d6', 'border-color': '#c98a00' } },
  { selector: 'node.pod.ready', style: { 'background-color': '#dff3e6', 'border-color': '#2e9d57' } },
  { selector: 'node.pod.notready', style: { 'background-color': '#fde2e2', 'border-color': '#c62828' } },
  { selector: 'node.pod.proxy, node.pod.dns', style: { 'border-style': 'double', 'border-width': 3 } },
  { selector: 'node.deleting', style: { opacity: 0.5 } },
  {
    selector: 'node.box',
    style: {
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 12,
      'font-weight': 'bold',
      'background-color': '#f3f5f8',
      'border-color': '#5a6b85',
      padding: 12,
    },
  },
  { selector: 'node.box.notready', style: { 'border-color': '#c62828', 'border-style': 'dashed' } },
  {
    selector: 'edge',
    style: { width: 1.5, 'line-color': '#2e9d57', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle' },
  },
  { selector: 'edge.notready', style: { 'line-style': 'dashed', 'line-color': '#c62828' } },
];

/** The graph view, updated in place. */
export function TopologyGraph({ index }) {
  const ref = useRef(null);
  const cy = useRef(null);
  const slots = useRef(new Map());
  const lastRun = useRef(-Infinity);
  useEffect(() => {
    cy.current = cytoscape({
      container: ref.current,
      style,
      layout: { name: 'preset' },
      autoungrabify: true,
      pixelRatio: 1,
      hideEdgesOnViewport: true,
    });
    return () => cy.current.destroy();
  }, []);
  useEffect(() => {
    // After the table has painted, when the page is idle (or 100 ms later at most), in
    // slices of a few hundred elements, so a large cluster's table shows first and the
    // page stays responsive while its graph is drawn; changes in a burst are drawn
    // together, one update starting at most every GRAPH_INTERVAL_MS. A newer state
    // cancels an update between slices; what was applied stays, the next diff does the rest.
    let idle;
    let timer;
    let cancelled = false;
    const later = (fn) => {
      idle = requestIdleCallback(fn, { timeout: 100 });
    };
    // data-synced tells observers (and tests) whether the graph shows the current state.
    if (ref.current) ref.current.dataset.synced = 'false';
    const wait = Math.max(0, lastRun.current + GRAPH_INTERVAL_MS - performance.now());
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(
        () =>
          later(() => {
            // The view may have been left (element and graph gone) between the frame and now.
            if (cancelled || !ref.current || !cy.current) return;
            lastRun.current = performance.now();
            slots.current = topologySlots(index, slots.current);
            const steps = updateGraph(cy.current, graphElements(index, slots.current));
            const next = () => {
              if (cancelled || !ref.current || !cy.current) return;
              if (steps.next().done) ref.current.dataset.synced = 'true';
              else later(next);
            };
            next();
          }),
        wait,
      );
    });
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      cancelIdleCallback(idle);
    };
  }, [index]);
  return html`<div id="graph" ref=${ref} data-testid="topology-graph"></div>`;
}

/**
 * The least time between the starts of two graph updates. Each update makes cytoscape
 * restyle, redraw its canvases over several frames (element textures are re-cached) and
 * the browser commit them: at 1000 pods that was most of the page's work per log event,
 * and the frames it took were where a table update waited (the bench's p99). The table
 * twin shows each change at once; the graph catches up within this interval.
 */
const GRAPH_INTERVAL_MS = 1000;

/** The smallest zoom the graph opens at: 10 px labels drawn at 7.5 px, above min-zoomed-font-size. */
const READABLE_ZOOM = 0.75;

/** Elements handled per step of an update. */
const CHUNK = 300;

/** Brings the graph to the elements `want`, one chunk per step (a generator the caller drives). */
function* updateGraph(g, want) {
  const ids = new Set(want.map((e) => e.data.id));
  g.batch(() => {
    g.elements().forEach((el) => {
      if (!ids.has(el.id())) g.remove(el);
    });
  });
  // Only elements that are not the very objects applied last time (graphElements reuses
  // unchanged ones): after the first draw an update is a few elements and one step, done
  // before a newer state can cancel it.
  const changed = want.filter((e) => {
    const el = g.getElementById(e.data.id);
    return el.empty() || el.scratch('src') !== e;
  });
  // Elements come parents and endpoints first (graphElements' order), so each chunk can be added alone.
  for (let i = 0; i < changed.length; i += CHUNK) {
    if (i > 0) yield;
    g.batch(() => applyChunk(g, changed.slice(i, i + CHUNK)));
  }
  if (!g.scratch('fitted') && want.length > 0) {
    g.fit(undefined, 20);
    // Labels stay readable: a cluster too big to fit at that zoom opens at its top left (pan to see the rest).
    if (g.zoom() < READABLE_ZOOM) {
      const bb = g.elements().boundingBox();
      g.zoom(READABLE_ZOOM);
      g.pan({ x: 20 - bb.x1 * READABLE_ZOOM, y: 20 - bb.y1 * READABLE_ZOOM });
    }
    g.scratch('fitted', true);
  }
}

function applyChunk(g, chunk) {
  // Only what changed is touched: a pod update rewrites one element, not the graph.
  const adds = [];
  for (const e of chunk) {
    const el = g.getElementById(e.data.id);
    if (!el.empty() && el.scratch('src') === e) continue;
    const sig = `${JSON.stringify(e.data)}|${e.classes ?? ''}|${e.position ? `${e.position.x},${e.position.y}` : ''}`;
    if (el.empty()) {
      adds.push({ ...e, scratch: { sig, src: e } });
      continue;
    }
    el.scratch('src', e);
    if (el.scratch('sig') === sig) continue;
    el.scratch('sig', sig);
    el.data(e.data);
    el.classes(e.classes ?? '');
    if (e.position && el.isNode() && !el.isParent()) el.position(e.position);
  }
  if (adds.length > 0) {
    const added = g.add(adds.map(({ scratch, ...e }) => e));
    const scratch = new Map(adds.map((e) => [e.data.id, e.scratch]));
    added.forEach((el) => {
      el.scratch('sig', scratch.get(el.id()).sig);
      el.scratch('src', scratch.get(el.id()).src);
    });
  }
}
