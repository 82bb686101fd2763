/**
 * The kept `nft -i` against the kernel (root only; fails without it), in a bare netns of
 * its own: transactions apply whole or not at all, a refused one reports nft's message
 * and leaves the session usable, and a killed session is started again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { addNetns, deleteNetns } from '@kemu/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NftTransactionError } from './errors.js';
import { createNft } from './nft.js';

const listTables = (netns: string) =>
  execFileSync('ip', ['netns', 'exec', netns, 'nft', 'list', 'tables'], { encoding: 'utf8' });

describe('nft session (privileged)', () => {
  const netns = `kt-nft-${randomBytes(3).toString('hex')}-ses`;
  const nft = createNft({ netns, session: true });

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces and nftables)');
    await addNetns(netns);
  });
  afterAll(async () => {
    nft.close();
    await deleteNetns(netns);
  });

  it('applies transactions whole or not at all and stays usable after a refused one', async () => {
    await nft.apply([
      'add table ip t1 { comment "a; b" ; }',
      'add chain ip t1 c',
      'add rule ip t1 c ip daddr 1.2.3.4 counter',
    ]);
    expect(listTables(netns)).toContain('table ip t1');

    const refused = nft.apply(['add table ip t2', 'add chain ip t2 c', 'add rule ip t2 c ip dadr 1.2.3.4']);
    await expect(refused).rejects.toBeInstanceOf(NftTransactionError);
    await expect(refused).rejects.toThrow(/syntax error/);
    expect(listTables(netns)).not.toContain('table ip t2');

    // Queued transactions run one after the other, each settled by its own marker.
    await Promise.all([nft.apply(['add table ip t3']), nft.apply(['add table ip t4'])]);
    const deleteMissing = nft.apply(['delete table ip t-never']);
    await expect(deleteMissing).rejects.toThrow(/No such file or directory/);
    await nft.apply(['delete table ip t3']);
    const tables = listTables(netns);
    expect(tables).toContain('table ip t4');
    expect(tables).not.toContain('table ip t3');
  });

  it('starts nft again when the session died', async () => {
    await nft.apply(['add table ip t5']);
    const sessions = () =>
      spawnSync('pgrep', ['-P', String(process.pid), '-f', 'nft -i'], { encoding: 'utf8' }).stdout.trim();
    const pids = sessions();
    expect(pids).not.toBe('');
    execFileSync('kill', ['-9', ...pids.split('\n')]);
    await expect.poll(sessions).toBe('');
    // A transaction racing the death fails as "exited"; the next one runs in a new nft.
    await nft.apply(['add table ip t6']).catch((err: Error) => expect(err.message).toMatch(/exited/));
    await nft.apply(['add table ip t7']);
    expect(listTables(netns)).toContain('table ip t7');
    expect(sessions()).not.toBe('');
  });
});
