/**
 * Live traffic: connections (client pod → ClusterIP → node's proxy → endpoint pod, with
 * result, bytes, latency) and DNS queries, newest first; per Service the share of
 * connections each endpoint got against an even share; a click opens the trace.
 */
import { html } from './html.js';
import { dnsClients, ipOf, kubectl, podName, serviceOf, shares } from './model.js';

const RESULT_CLASS = { ok: 'ok', refused: 'bad', timeout: 'bad', reset: 'warn', 'no-endpoints': 'bad' };

function time(ms) {
  return new Date(ms).toISOString().slice(11, 23);
}

/** The connections table. */
export function ConnectionsTable({ index, flows, selected, onSelect }) {
  const rows = flows
    .filter((f) => f.kind === 'conn')
    .slice(-200)
    .reverse();
  return html`
    <h2>Connections (${rows.length} newest) <code class="kubectl">kemu flows -f</code></h2>
    <table data-testid="connections-table">
      <thead><tr><th>time</th><th>client</th><th>Service (ClusterIP)</th><th>proxy on</th><th>endpoint</th><th>result</th><th>bytes in/out</th><th>latency</th><th>pick</th></tr></thead>
      <tbody>
        ${rows.map(
          (
            f,
          ) => html`<tr class=${`click${selected === f ? ' sel' : ''}`} onClick=${() => onSelect(f)} data-endpoint=${f.endpoint ?? ''} data-result=${f.result}>
            <td>${time(f.startedAt)}</td><td>${podName(index, f.client)}</td>
            <td>${f.service} (${f.clusterIP}:${f.port}/${f.protocol})</td><td>${f.node}</td>
            <td>${f.endpoint ? podName(index, f.endpoint) : '-'}</td>
            <td class=${RESULT_CLASS[f.result] ?? ''}>${f.result}</td><td>${f.bytesIn}/${f.bytesOut}</td>
            <td>${f.connectMs ?? '-'} ms / ${f.durationMs} ms</td><td>${f.reason}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

/** The DNS queries table. */
export function DnsTable({ index, flows }) {
  const rows = flows
    .filter((f) => f.kind === 'dns')
    .slice(-100)
    .reverse();
  const clientOf = dnsClients(flows);
  return html`
    <h2>DNS queries (${rows.length} newest) <code class="kubectl">${kubectl.dns()}</code></h2>
    <table data-testid="dns-table">
      <thead><tr><th>time</th><th>client</th><th>query</th><th>rcode</th><th>answer</th><th>server</th></tr></thead>
      <tbody>
        ${rows.map(
          (f) => html`<tr>
            <td>${time(f.startedAt)}</td>
            <td>${clientOf(f) ? html`${podName(index, clientOf(f))} <span class="dim">via ${f.client}</span>` : podName(index, f.client)}</td>
            <td>${f.type} ${f.name}</td>
            <td class=${f.rcode === 'NOERROR' ? 'ok' : 'bad'}>${f.rcode}</td><td>${f.answers.join(', ') || '-'}</td><td>${f.server}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

/** Per Service, the share of connections per endpoint against an even share. */
export function SharesTable({ index, flows }) {
  const all = shares(flows);
  return html`
    <h2>Share of connections per endpoint (bar) against an even share (red mark)</h2>
    <table data-testid="shares-table">
      <thead><tr><th>Service</th><th>endpoint</th><th>connections</th><th>share</th><th>even</th><th></th></tr></thead>
      <tbody>
        ${all.flatMap((s) =>
          s.rows.map(
            (r, i) => html`<tr data-share-endpoint=${r.endpoint}>
              <td>${i === 0 ? html`${s.service} (${s.total}) <br/><code class="kubectl">${kubectl.flows(serviceOf(s.service))}</code>` : ''}</td>
              <td>${podName(index, r.endpoint)} <span class="dim">${r.endpoint}</span></td><td>${r.count}</td>
              <td>${(r.share * 100).toFixed(0)} %</td><td>${(r.even * 100).toFixed(0)} %</td>
              <td><span class="bar" style=${`width:${Math.round(r.share * 200)}px`}></span><span class="even" style=${`margin-left:${Math.round(r.even * 200) - Math.round(r.share * 200)}px`}></span></td>
            </tr>`,
          ),
        )}
      </tbody>
    </table>`;
}

/** Every hop of one connection. */
export function Trace({ index, flow, flows, seq }) {
  if (!flow) return html`<div class="panel dim" data-testid="trace">Click a connection to see its hops.</div>`;
  const clientIP = ipOf(flow.client);
  const svcName = serviceOf(flow.service).split('/')[1];
  const clientOf = dnsClients(flows);
  const dns = flows
    .filter((d) => d.kind === 'dns' && ipOf(clientOf(d) ?? d.client) === clientIP && d.name.startsWith(`${svcName}.`))
    .filter((d) => d.startedAt <= flow.startedAt)
    .at(-1);
  return html`<div class="panel" data-testid="trace">
    <h2>Connection trace</h2>
    <ol>
      <li>client <b>${podName(index, flow.client)}</b> from <code>${flow.client}</code></li>
      ${dns ? html`<li>DNS: ${dns.type} ${dns.name} → ${dns.answers.join(', ')} (${dns.rcode}, ${dns.server})</li>` : ''}
      <li>to <code>${flow.clusterIP}:${flow.port}/${flow.protocol}</code>, Service <b>${flow.service}</b></li>
      <li>proxy on <b>${flow.node}</b> (${flow.mode}), programmed from EndpointSlice version(s) ${flow.sliceVersions.join(', ') || '-'} at log seq ${flow.programmedAtSeq}${seq ? ` (the page is at seq ${seq})` : ''}
        <br/><code class="kubectl">${kubectl.proxyLog(flow.node)}</code></li>
      <li>candidates: ${flow.candidates.map((c) => html`<code>${c}</code> `)}; picked by <b>${flow.reason}</b>; tried ${flow.tried.join(' → ') || 'none'}</li>
      <li>after the proxy: <code>${flow.proxyAddress ?? '-'}</code> → <code>${flow.endpoint ?? '-'}</code> <b>${flow.endpoint ? podName(index, flow.endpoint) : ''}</b></li>
      <li>result <b class=${RESULT_CLASS[flow.result]}>${flow.result}</b>, ${flow.bytesIn} B in, ${flow.bytesOut} B out, connect ${flow.connectMs ?? '-'} ms, duration ${flow.durationMs} ms</li>
    </ol>
  </div>`;
}
