/** EndpointSlice rows as printEndpointSlice computes them: AddressType, Ports, Endpoints (three, then ` + N more...`). */
import type { EndpointSlice, KubeObject } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

const MAX_SHOWN = 3;

function listWithMore(list: string[], more: boolean, count: number): string {
  const text = list.join(',');
  if (more) return `${text} + ${count - MAX_SHOWN} more...`;
  return text === '' ? '<unset>' : text;
}

/** The Ports cell: port numbers (or names, or `*`). */
export function formatSlicePorts(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of slice.ports ?? []) {
    if (list.length < MAX_SHOWN) list.push(p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*'));
    else more = true;
    count++;
  }
  return listWithMore(list, more, count);
}

/** The Endpoints cell: addresses of every endpoint, ready or not. */
export function formatSliceEndpoints(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of slice.endpoints ?? []) {
    for (const a of e.addresses ?? []) {
      if (list.length < MAX_SHOWN) list.push(a);
      else more = true;
      count++;
    }
  }
  return listWithMore(list, more, count);
}

/** The EndpointSlice printer: Name, AddressType, Ports, Endpoints, Age. */
export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn,
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const slice = object as EndpointSlice;
    return [
      slice.metadata.name,
      slice.addressType ?? '',
      formatSlicePorts(slice),
      formatSliceEndpoints(slice),
      ageSince(slice.metadata.creationTimestamp, now),
    ];
  },
};
