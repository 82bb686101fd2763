// Measures the topology layouts side by side (`node services/dashboard/measure-layout.mjs`):
// the grid in name order, the grid with stable slots (what the page uses) and elkjs's
// layered layout (services → node boxes holding their pods, model order kept, seed fixed),
// on synthetic clusters of 9, 60 and 1000 pods over 3 nodes: layout time, how many
// existing elements move when one pod appears (named to sort between others), edge
// crossings (straight lines, up to 60 pods), extent, and whether a second run gives the
// same positions.
import ELK from 'elkjs/lib/elk.bundled.js';
import { graphElements, topologySlots } from './src/page/topology.js';
import { indexSummaries } from './src/page/model.js';

function cluster(pods, services, extra = 0) {
  const m = new Map();
  for (let n = 1; n <= 3; n++)
    m.set(`nodes//node-${n}`, {
      kind: 'node',
      key: `nodes//node-${n}`,
      name: `node-${n}`,
      ready: true,
      ip: `10.0.0.${n + 1}`,
    });
  if (extra)
    m.set('pods/default/pod-mid', {
      kind: 'pod',
      key: 'pods/default/pod-00005a',
      namespace: 'default',
      name: 'pod-5a',
      node: 'node-1',
      phase: 'Running',
      ready: true,
      ip: '10.99.1.1',
      labels: {},
      role: 'workload',
    });
  for (let i = 0; i < pods; i++) {
    const n = (i % 3) + 1;
    m.set(`pods/default/pod-${i}`, {
      kind: 'pod',
      key: `pods/default/pod-${String(i).padStart(5, '0')}`,
      namespace: 'default',
      name: `pod-${i}`,
      node: `node-${n}`,
      phase: 'Running',
      ready: true,
      ip: `10.${Math.floor(i / 250)}.${n}.${i % 250}`,
      labels: {},
      role: 'workload',
    });
  }
  for (let s = 0; s < services; s++) {
    m.set(`services/default/svc-${s}`, {
      kind: 'service',
      key: `services/default/svc-${String(s).padStart(4, '0')}`,
      namespace: 'default',
      name: `svc-${s}`,
      clusterIP: `10.96.0.${s}`,
      ports: [],
      selector: {},
    });
    const eps = [];
    for (let i = s; i < pods + extra; i += services * 3)
      eps.push({ ip: `10.${Math.floor(i / 250)}.${(i % 3) + 1}.${i % 250}`, ready: true });
    m.set(`endpointslices/default/svc-${s}-x`, {
      kind: 'slice',
      key: `endpointslices/default/svc-${s}-x`,
      namespace: 'default',
      name: `svc-${s}-x`,
      service: `svc-${s}`,
      endpoints: eps,
    });
  }
  return indexSummaries(m);
}

const elk = new ELK();
async function elkPositions(index) {
  const els = graphElements(index);
  const boxes = new Map();
  const top = [];
  const edges = [];
  for (const e of els) {
    if (e.group === 'edges') {
      edges.push({ id: e.data.id, sources: [e.data.source], targets: [e.data.target] });
      continue;
    }
    if (e.classes?.startsWith('box')) {
      const b = {
        id: e.data.id,
        children: [],
        layoutOptions: { 'elk.padding': '[top=30,left=12,bottom=12,right=12]' },
      };
      boxes.set(e.data.id, b);
      top.push(b);
      continue;
    }
    const n = { id: e.data.id, width: 190, height: 36 };
    if (e.data.parent) boxes.get(e.data.parent).children.push(n);
    else top.push(n);
  }
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.randomSeed': '1',
      'elk.spacing.nodeNode': '12',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
    },
    children: top,
    edges,
  };
  const out = await elk.layout(graph);
  const pos = new Map();
  const walk = (n, ox, oy) => {
    for (const c of n.children ?? []) {
      const x = ox + c.x,
        y = oy + c.y;
      if (!c.children?.length) pos.set(c.id, { x: x + c.width / 2, y: y + c.height / 2 });
      walk(c, x, y);
    }
  };
  walk(out, 0, 0);
  return pos;
}
function gridPositions(index) {
  const pos = new Map();
  for (const e of graphElements(index)) if (e.position) pos.set(e.data.id, e.position);
  return pos;
}
function slotPositions(index, prev) {
  const pos = new Map();
  for (const e of graphElements(index, topologySlots(index, prev))) if (e.position) pos.set(e.data.id, e.position);
  return pos;
}
function crossings(index, pos) {
  const segs = graphElements(index)
    .filter((e) => e.group === 'edges')
    .map((e) => [pos.get(e.data.source), pos.get(e.data.target)])
    .filter(([a, b]) => a && b);
  const ccw = (a, b, c) => (c.y - a.y) * (b.x - a.x) > (b.y - a.y) * (c.x - a.x);
  let n = 0;
  for (let i = 0; i < segs.length; i++)
    for (let j = i + 1; j < segs.length; j++) {
      const [a, b] = segs[i],
        [c, d] = segs[j];
      if (a === c || a === d || b === c || b === d) continue;
      if (ccw(a, c, d) !== ccw(b, c, d) && ccw(a, b, c) !== ccw(a, b, d)) n++;
    }
  return n;
}
function moved(before, after) {
  let n = 0;
  for (const [id, p] of before) {
    const q = after.get(id);
    if (q && (Math.abs(q.x - p.x) > 1 || Math.abs(q.y - p.y) > 1)) n++;
  }
  return n;
}
function area(pos) {
  const xs = [...pos.values()].map((p) => p.x),
    ys = [...pos.values()].map((p) => p.y);
  return `${Math.round(Math.max(...xs) - Math.min(...xs))}x${Math.round(Math.max(...ys) - Math.min(...ys))}`;
}

for (const [pods, services] of [
  [9, 3],
  [60, 6],
  [1000, 100],
]) {
  const a = cluster(pods, services),
    b = cluster(pods, services, 1);
  const g0 = gridPositions(a),
    g1 = gridPositions(b);
  let t = performance.now();
  const e0 = await elkPositions(a);
  const elkMs = performance.now() - t;
  const e1 = await elkPositions(b);
  const e0again = await elkPositions(a);
  t = performance.now();
  gridPositions(a);
  const gridMs = performance.now() - t;
  const line = (name, ms, p0, p1, same) =>
    console.log(
      `${pods} pods/${services} svc ${name}: layout ${ms.toFixed(0)} ms, moved when a pod appears ${moved(p0, p1)}/${p0.size}, crossings ${pods <= 60 ? crossings(a, p0) : '-'}, extent ${area(p0)}, deterministic ${same}`,
    );
  line('grid by name', gridMs, g0, g1, moved(g0, gridPositions(a)) === 0);
  line('grid, stable slots', gridMs, g0, slotPositions(b, topologySlots(a)), true);
  line('elk ', elkMs, e0, e1, moved(e0, e0again) === 0);
}
