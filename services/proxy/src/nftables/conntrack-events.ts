/**
 * Parses the lines of `conntrack -E -o timestamp,id` (conntrack-tools' default text
 * format): `[<sec.usec>] [NEW|UPDATE|DESTROY] <proto> <num> [<timeout>] [<TCP state>]
 * src= dst= sport= dport= [packets= bytes=] [UNREPLIED] src= dst= sport= dport= [packets=
 * bytes=] [ASSURED] [mark=] [delta-time=] id=`. The first address group is the original
 * direction (client → ClusterIP), the second the reply direction, whose source is the
 * DNAT target. Counters appear only on DESTROY events, with nf_conntrack_acct=1, and
 * on every line of a listing (`conntrack -L -o id`: the same line without the type).
 */

/** One direction of a conntrack tuple. */
export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  packets?: number;
  bytes?: number;
}

/** One parsed event. */
export interface ConntrackEvent {
  type: 'NEW' | 'UPDATE' | 'DESTROY';
  /** Milliseconds since the epoch, from the `-o timestamp` prefix. */
  timeMs?: number;
  protocol: string;
  /** TCP state (SYN_SENT, ESTABLISHED, TIME_WAIT, CLOSE…), absent for other protocols. */
  state?: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  unreplied: boolean;
  assured: boolean;
  id?: number;
  /** Seconds the entry lived (DESTROY, with nf_conntrack_timestamp=1). */
  deltaSeconds?: number;
  /** The entry's conntrack mark, printed when not zero (the event mask's sampling mark). */
  mark?: number;
}

const LINE = /^\s*(?:\[(\d+\.\d+)\]\s+)?\[(NEW|UPDATE|DESTROY)\]\s+(?:ipv4\s+2\s+)?(\S+)\s+\d+\s+(.*)$/;
const ENTRY = /^\s*(?:ipv4\s+2\s+)?([a-z]\S*)\s+\d+\s+(.*)$/;

/** The event a line describes, or undefined for anything else (headers, summaries, other families). */
export function parseConntrackEvent(line: string): ConntrackEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return parseFields(m as unknown as [string, string | undefined, ConntrackEvent['type'], string, string]);
}

/** One entry of a `conntrack -L` listing (typed UPDATE: the entry as it is now), or undefined. */
export function parseConntrackEntry(line: string): ConntrackEvent | undefined {
  const m = ENTRY.exec(line);
  if (!m) return undefined;
  return parseFields([m[0], undefined, 'UPDATE', m[1] as string, m[2] as string]);
}

function parseFields(
  m: [string, string | undefined, ConntrackEvent['type'], string, string],
): ConntrackEvent | undefined {
  const [, ts, type, protocol, rest] = m;
  const tuples: Partial<ConntrackTuple>[] = [];
  const event: ConntrackEvent = {
    type,
    protocol,
    original: { src: '', dst: '' },
    reply: { src: '', dst: '' },
    unreplied: false,
    assured: false,
  };
  if (ts) event.timeMs = Math.round(Number(ts) * 1000);
  for (const token of rest.split(/\s+/)) {
    if (token === '[UNREPLIED]') event.unreplied = true;
    else if (token === '[ASSURED]') event.assured = true;
    else if (/^[A-Z_]+$/.test(token)) event.state = token;
    const eq = token.indexOf('=');
    if (eq < 0) continue;
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key === 'src') tuples.push({ src: value });
    const t = tuples[tuples.length - 1];
    if (key === 'dst' && t) t.dst = value;
    else if ((key === 'sport' || key === 'dport' || key === 'packets' || key === 'bytes') && t) t[key] = Number(value);
    else if (key === 'id') event.id = Number(value);
    else if (key === 'delta-time') event.deltaSeconds = Number(value);
    else if (key === 'mark') event.mark = Number(value);
  }
  const [original, reply] = tuples;
  if (!original?.src || !original.dst || !reply?.src || !reply.dst) return undefined;
  event.original = original as ConntrackTuple;
  event.reply = reply as ConntrackTuple;
  return event;
}
