/**
 * The node-scoped subject layout (docs/subject-layout.md) lets nats-server itself say
 * "node-agent N writes only its own subjects": a real server with per-user publish
 * permissions built from nodeAgentPublishSubjects() takes node-1's writes to its own
 * subjects and refuses, storing nothing, its writes to node-2's and to object subjects.
 */
import { startNatsServer } from '@kemu/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { STREAM_SUBJECTS, nodeAgentPublishSubjects, nodeStatusSubjectFor, subjectFor } from './subjects.js';

const pod = (name: string) => ({ resource: 'pods', namespace: 'default', name });

function serverConfig(): string {
  const allow = [...nodeAgentPublishSubjects('node-1'), '$JS.API.INFO'];
  return `authorization {
  users = [
    { user: admin, password: admin-secret }
    { user: node-1, password: node-1-secret, permissions: {
        publish: { allow: ${JSON.stringify(allow)} }
        subscribe: { allow: ["_INBOX.>"] } } }
  ]
}
`;
}

describe('node-scoped subjects', () => {
  it('let nats-server confine a node-agent to its own node', async () => {
    await using server = await startNatsServer({ config: serverConfig() });
    const admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-secret' });
    const node1 = await connect({ servers: server.url, user: 'node-1', pass: 'node-1-secret' });
    try {
      const jsm = await jetstreamManager(admin);
      await jsm.streams.add({ name: 'KEMU', subjects: [...STREAM_SUBJECTS] });
      const js = jetstream(node1, { timeout: 1_000 });
      const body = new TextEncoder().encode('status');

      const own = await js.publish(nodeStatusSubjectFor('node-1', pod('web-0')), body);
      expect(own.seq).toBe(1);
      await js.publish(subjectFor({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' }), body);
      await js.publish(subjectFor({ resource: 'nodes', namespace: '', name: 'node-1' }), body);

      const refused = [
        nodeStatusSubjectFor('node-2', pod('web-1')),
        subjectFor(pod('web-0')),
        subjectFor({ resource: 'nodes', namespace: '', name: 'node-2' }),
        subjectFor({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-2' }),
      ];
      for (const subject of refused) {
        await expect(js.publish(subject, body), subject).rejects.toThrow();
      }
      const info = await jsm.streams.info('KEMU', { subjects_filter: '>' });
      expect(info.state.messages).toBe(3);
      expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual(
        [
          nodeStatusSubjectFor('node-1', pod('web-0')),
          'kemu.obj.leases.kube-node-lease.node-1',
          'kemu.obj.nodes._.node-1',
        ].sort(),
      );
    } finally {
      await node1.close();
      await admin.close();
    }
  });
});
