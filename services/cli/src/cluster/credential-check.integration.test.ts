/**
 * The credential check `kemu node token` and `kemu compose up` wait with, against a real
 * nats-server started with the configuration `kemu up` writes: a known credential is
 * taken, an unknown one refused, and checking never creates the event stream (it once
 * made it with one replica before the control plane asked for three).
 */
import { STREAM, checkNatsCredential, connectEventLog, newNkeyUser } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { startNatsServer } from '@kemu/testkit';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRoles, seedFile, writeNatsAuth } from './nats-auth.js';

const log = createLogger({ component: 'test', level: 'silent' });

/** The event stream's folders in a JetStream store (`jetstream/<account>/streams/KEMU`). */
async function streamDirs(storeDir: string): Promise<string[]> {
  const entries = await readdir(storeDir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith(`streams/${STREAM}`));
}

describe('NATS credential check', () => {
  let stateDir: string;
  let server: Awaited<ReturnType<typeof startNatsServer>>;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'kemu-cred-check-'));
    const paths = await writeNatsAuth(stateDir, clusterRoles(['node-1']));
    server = await startNatsServer({ config: await readFile(paths.serverConfig, 'utf8') });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('takes a known credential, refuses an unknown one, and leaves the event stream uncreated', async () => {
    await checkNatsCredential({ servers: server.url, name: 'test', nkeyFile: seedFile(stateDir, 'node-agent-node-1') });
    const unknown = join(stateDir, 'unknown.nk');
    await writeFile(unknown, `${newNkeyUser().seed}\n`, { mode: 0o600 });
    await expect(checkNatsCredential({ servers: server.url, name: 'test', nkeyFile: unknown })).rejects.toThrow(
      /authorization/i,
    );
    expect(await streamDirs(server.storeDir)).toEqual([]);
    // The control: connecting the event log does create it, and the search sees it.
    const eventLog = await connectEventLog({
      servers: server.url,
      name: 'test',
      log,
      failFast: true,
      nkeyFile: seedFile(stateDir, 'apiserver'),
    });
    await eventLog.close();
    expect(await streamDirs(server.storeDir)).toHaveLength(1);
  });
});
