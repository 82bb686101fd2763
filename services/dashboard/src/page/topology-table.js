/**
 * The table twin of the topology graph: every pod with its node, phase, readiness and IP,
 * and every Service with its ClusterIP, ports and endpoints, each with the kubectl command
 * that shows it.
 */
import { Component } from 'preact';
import { html } from './html.js';
import { kubectl, slicesOf } from './model.js';

/**
 * One pod's row; rendered again only when its summary changed (the store replaces the
 * summary of a changed object and keeps the others), so a change costs one row, not a thousand.
 */
class PodRow extends Component {
  shouldComponentUpdate(next) {
    return next.p !== this.props.p;
  }

  render({ p }) {
    return html`<tr data-pod=${p.name}>
      <td>${p.node || '(unscheduled)'}</td><td>${p.namespace}/${p.name}${p.role !== 'workload' ? ` (${p.role})` : ''}</td>
      <td>${p.phase}${p.deleting ? ' (terminating)' : ''}</td>
      <td class=${p.ready ? 'ok' : 'bad'}>${p.ready ? 'Ready' : 'NotReady'}</td><td>${p.ip}</td>
      <td><code class="kubectl">${kubectl.pod(p)}</code></td>
    </tr>`;
  }
}

/**
 * The pods table comes in blocks of BLOCK rows (PodBlock), each its own fixed-layout table sharing
 * the column widths, in a box with `content-visibility: auto`: every row is in the page
 * (find, copy, tests), but the browser lays out and paints only the blocks on screen,
 * which is most of the cost of a thousand rows.
 */
const BLOCK = 100;
const POD_COLUMNS = html`<colgroup><col style="width:11%" /><col style="width:22%" /><col style="width:9%" /><col style="width:8%" /><col style="width:12%" /><col style="width:38%" /></colgroup>`;

function blocksOf(rows) {
  const out = [];
  for (let i = 0; i < rows.length; i += BLOCK) out.push(rows.slice(i, i + BLOCK));
  return out;
}

/** Whether two arrays hold the same elements in the same order. */
const sameRows = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A block of pod rows; rendered again only when one of its pods changed, so a change costs one block of the ten. */
class PodBlock extends Component {
  shouldComponentUpdate(next) {
    return !sameRows(next.rows, this.props.rows);
  }

  render({ rows }) {
    return html`<div class="block"><table>${POD_COLUMNS}<tbody>
      ${rows.map((p) => html`<${PodRow} key=${p.key} p=${p} />`)}
    </tbody></table></div>`;
  }
}

/** One Service's row; rendered again only when the Service or its slices changed. */
class ServiceRow extends Component {
  shouldComponentUpdate(next) {
    return next.s !== this.props.s || next.slices !== this.props.slices;
  }

  render({ s, slices }) {
    const eps = slices.flatMap((e) => e.endpoints);
    return html`<tr data-service=${s.name}>
      <td>${s.namespace}/${s.name}</td><td>${s.clusterIP}</td>
      <td>${s.ports.map((p) => `${p.port}→${p.targetPort}/${p.protocol}`).join(', ')}</td>
      <td>${eps.map((e) => html`<span class=${e.ready ? 'ok' : 'bad'}>${e.ip} </span>`)}</td>
      <td><code class="kubectl">${kubectl.slices(s)}</code></td>
    </tr>`;
  }
}

/** The table twin of the graph. */
export function TopologyTable({ index }) {
  return html`
    <h2>Nodes and pods <code class="kubectl">${kubectl.nodes()}</code></h2>
    <div data-testid="topology-table" class="blocks">
      <table>${POD_COLUMNS}<thead><tr><th>node</th><th>pod</th><th>phase</th><th>ready</th><th>IP</th><th>proves it</th></tr></thead></table>
      ${blocksOf(index.pods).map((rows, i) => html`<${PodBlock} key=${i} rows=${rows} />`)}
    </div>
    <h2>Services</h2>
    <table data-testid="services-table">
      <thead><tr><th>service</th><th>ClusterIP</th><th>ports</th><th>endpoints (ready)</th><th>proves it</th></tr></thead>
      <tbody>
        ${index.services.map((s) => html`<${ServiceRow} key=${s.key} s=${s} slices=${slicesOf(index, s)} />`)}
      </tbody>
    </table>`;
}
