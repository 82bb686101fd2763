/** One line of text per flow record, for `kemu flows` and logs. */
import type { FlowRecord } from './flow-record.js';

/** Formats a record as one terminal line. */
export function formatFlow(r: FlowRecord): string {
  const t = new Date(r.startedAt).toISOString().slice(11, 23);
  if (r.kind === 'dns') {
    const answer = r.answers.length > 0 ? r.answers.join(',') : '-';
    return `${t} DNS  ${r.client} ${r.type} ${r.name} → ${r.rcode} ${answer} (${r.server}, ${r.durationMs} ms)`;
  }
  const to = r.endpoint ?? '-';
  const retries = r.tried.length > 1 ? ` tried ${r.tried.join(',')}` : '';
  return (
    `${t} ${r.protocol.padEnd(4)} ${r.client} → ${r.clusterIP}:${r.port} (${r.service}) via ${r.node} → ${to} ` +
    `${r.result} ${r.reason} in ${r.bytesIn}B out ${r.bytesOut}B ${r.durationMs} ms${retries}`
  );
}
