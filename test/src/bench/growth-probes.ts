/** Probes of the growth table: timed apiserver lists, component RSS and each real proxy's endpoints. */
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Agent, request } from 'node:https';

/** Accept header kubectl sends for `get` (a server-side Table). */
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** A GET against the apiserver: status and body. */
export type ApiGet = (path: string, accept?: string) => Promise<{ status: number; body: string }>;

/** A keep-alive HTTPS client with the admin token. */
export function apiGetter(server: string, ca: string, token: string): ApiGet {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca });
  return (path, accept = 'application/json') =>
    new Promise((resolve, reject) => {
      const headers = { authorization: `Bearer ${token}`, accept };
      const req = request(`${server}${path}`, { agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end();
    });
}

/** Milliseconds an async call takes. */
export async function timedMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Lists every pod in pages of `limit`, following `continue`; returns the items counted. */
export async function listPaginated(get: ApiGet, limit: number): Promise<number> {
  let token = '';
  let items = 0;
  for (;;) {
    const q = `limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const r = await get(`/api/v1/pods?${q}`);
    if (r.status !== 200) throw new Error(`paginated list: HTTP ${r.status}`);
    const page = JSON.parse(r.body) as { items: unknown[]; metadata: { continue?: string } };
    items += page.items.length;
    token = page.metadata.continue ?? '';
    if (!token) return items;
  }
}

/** CPU seconds (user + system) a process has used (NaN when it is gone); clock ticks of 100 Hz, Linux's USER_HZ. */
export async function cpuSeconds(pid: number | undefined): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS of a process in MiB (NaN when it is gone). */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Largest RSS (MiB) per component kind, from the supervisor's component → pid map. */
export async function componentRss(pids: Record<string, number>): Promise<Record<string, number>> {
  const kinds = ['apiserver', 'controller', 'hollow-node-agent', 'node-agent', 'proxy', 'dns'];
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const kind = kinds.find((k) => name === k || name.startsWith(`${k}-`));
    if (!kind) continue;
    out[kind] = Math.max(out[kind] ?? 0, await rssMiB(pid));
  }
  return out;
}

/** The endpoints (`ip:port`) a node's proxy programs for service ports whose name contains `service`. */
export function proxyEndpoints(nodeIp: string, service: string): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`http://${nodeIp}:10249/endpoints`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            servicePorts: { servicePort: string; endpoints: string[] }[];
          };
          const set = new Set<string>();
          for (const sp of reply.servicePorts)
            if (sp.servicePort.includes(service)) for (const e of sp.endpoints) set.add(e);
          resolve(set);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`proxy ${nodeIp} timed out`)));
    req.end();
  });
}

/** Polls `ok` every `everyMs` until it holds; throws after `deadlineMs`. */
export async function until(
  what: string,
  deadlineMs: number,
  ok: () => Promise<boolean>,
  everyMs = 200,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
