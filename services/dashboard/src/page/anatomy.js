/**
 * Service anatomy: selector → matching pods and near misses (the one label that differs)
 * → each pod's Ready condition and why → EndpointSlice entries (ready, serving,
 * terminating) → what each node's proxy programmed (from its latest flow record), with
 * the kubectl command beside each step; no ready endpoint is explained in plain words.
 */
import { html } from './html.js';
import { anatomy, kubectl, selectorText, serviceOf } from './model.js';

function programmedBy(flows, svc) {
  const name = `${svc.namespace}/${svc.name}`;
  const byNode = new Map();
  for (const f of flows) if (f.kind === 'conn' && serviceOf(f.service) === name) byNode.set(f.node, f);
  return [...byNode.values()].sort((a, b) => (a.node < b.node ? -1 : 1));
}

/** The anatomy of one Service. */
export function Anatomy({ index, svc, flows, seq }) {
  if (!svc) return html`<div class="panel dim">Pick a Service.</div>`;
  const a = anatomy(index, svc);
  const proxies = programmedBy(flows, svc);
  return html`<div class="panel" data-testid="anatomy">
    <h2>${svc.namespace}/${svc.name} <span class="dim">${svc.clusterIP}</span> <code class="kubectl">${kubectl.service(svc)}</code></h2>
    ${a.why ? html`<p class="bad" data-testid="no-endpoints-why">${a.why}</p>` : ''}
    <h2>1. Selector <code>${selectorText(svc.selector) || '(none)'}</code> <code class="kubectl">${kubectl.selector(svc)}</code></h2>
    <table data-testid="anatomy-pods">
      <thead><tr><th>pod</th><th>node</th><th>IP</th><th>Ready</th><th>why</th><th>proves it</th></tr></thead>
      <tbody>
        ${a.matching.map(
          (p) => html`<tr><td>${p.name}</td><td>${p.node}</td><td>${p.ip}</td>
            <td class=${p.ready ? 'ok' : 'bad'}>${p.ready ? 'True' : 'False'}</td><td>${p.readyReason}</td>
            <td><code class="kubectl">${kubectl.podReady(p)}</code></td></tr>`,
        )}
      </tbody>
    </table>
    ${
      a.near.length > 0
        ? html`<h2>Near misses (one label differs)</h2>
          <table data-testid="near-misses"><tbody>
            ${a.near.map(
              (
                n,
              ) => html`<tr><td>${n.pod.name}</td><td>label <b>${n.label}</b>: wants <code>${n.want}</code>, pod has <code>${n.got ?? '(absent)'}</code></td>
                <td><code class="kubectl">kubectl get pod -n ${n.pod.namespace} ${n.pod.name} --show-labels</code></td></tr>`,
            )}
          </tbody></table>`
        : ''
    }
    <h2>2. EndpointSlice entries <code class="kubectl">${kubectl.slices(svc)}</code></h2>
    <table data-testid="anatomy-slices">
      <thead><tr><th>slice (version)</th><th>address</th><th>pod</th><th>node</th><th>ready</th><th>serving</th><th>terminating</th></tr></thead>
      <tbody>
        ${a.endpoints.map(
          (
            e,
          ) => html`<tr><td>${e.slice.name} (${e.slice.resourceVersion})</td><td>${e.ip}</td><td>${e.pod}</td><td>${e.node}</td>
            <td class=${e.ready ? 'ok' : 'bad'}>${String(e.ready)}</td><td>${String(e.serving)}</td><td>${String(e.terminating)}</td></tr>`,
        )}
      </tbody>
    </table>
    <h2>3. What each node's proxy programmed (as of its latest connection)</h2>
    <table data-testid="anatomy-proxies">
      <thead><tr><th>node</th><th>candidates</th><th>slice version(s)</th><th>programmed at seq</th><th>log events since</th><th>proves it</th></tr></thead>
      <tbody>
        ${proxies.map(
          (f) => html`<tr><td>${f.node}</td><td>${f.candidates.join(', ')}</td><td>${f.sliceVersions.join(', ')}</td>
            <td>${f.programmedAtSeq}</td><td>${seq - f.programmedAtSeq} events</td><td><code class="kubectl">${kubectl.proxyLog(f.node)}</code></td></tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
