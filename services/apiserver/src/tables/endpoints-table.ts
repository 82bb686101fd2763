/** Endpoints rows as printEndpoints computes them: `ip:port` pairs, the first three, then ` + N more...`. */
import type { Endpoints, KubeObject } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

const MAX_SHOWN = 3;

/** The Endpoints cell, as formatEndpoints prints it (`<none>` when there are no ready addresses). */
export function formatEndpoints(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(a.ip.includes(':') ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
      }
    }
  }
  const text = list.join(',');
  if (more) return `${text} + ${count - MAX_SHOWN} more...`;
  return text === '' ? '<none>' : text;
}

/** The Endpoints printer: Name, Endpoints, Age. */
export const endpointsPrinter: Printer = {
  columns: [nameColumn, column('Endpoints', 'Endpoints is the list of endpoints in this object.'), ageColumn],
  cells(object: KubeObject, now: number): unknown[] {
    return [
      object.metadata.name,
      formatEndpoints(object as Endpoints),
      ageSince(object.metadata.creationTimestamp, now),
    ];
  },
};
