/**
 * Keeps the ConfigMap and Secret volumes of this node's running pods current, as the
 * kubelet's periodic volume sync does: a change to a ConfigMap or Secret rewrites (via
 * the AtomicWriter's `..data` swap) the volumes of every pod on this node that projects
 * it. Environment variables are not touched: they were read when the container started.
 */
import type { ConfigMap, Pod, Secret } from '@kemu/api';
import type { Informer } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigSources } from '../runtime/config-env.js';
import { syncConfigVolumes } from './config-volumes.js';

/** ConfigMaps and Secrets (decrypted) read from the node-agent's informer. */
export function viewConfigSources(informer: Informer): ConfigSources {
  return {
    configMap: (namespace, name) => informer.lister('configmaps').get(namespace, name) as ConfigMap | undefined,
    secret: (namespace, name) => informer.lister('secrets').get(namespace, name) as Secret | undefined,
  };
}

function projects(pod: Pod, kind: 'configMap' | 'secret', name: string): boolean {
  return ((pod.spec.volumes as Record<string, { name?: string; secretName?: string }>[] | undefined) ?? []).some(
    (v) => (kind === 'configMap' ? v.configMap?.name : v.secret?.secretName) === name,
  );
}

/** Rewrites the volumes that project a ConfigMap or Secret whenever it changes. */
export function followConfigVolumes(o: {
  informer: Informer;
  node: string;
  /** The node-agent's volume root (see config-volumes.ts). */
  root: string;
  sources: ConfigSources;
  log: Logger;
}): void {
  const resync = (kind: 'configMap' | 'secret', namespace: string, name: string) => {
    for (const pod of o.informer.lister('pods').list(namespace)) {
      if (pod.spec.nodeName !== o.node || !projects(pod, kind, name)) continue;
      // Only pods whose containers were set up already: a new pod writes its volumes at start.
      if (!existsSync(join(o.root, 'pods', pod.metadata.uid ?? '', 'volumes'))) continue;
      try {
        syncConfigVolumes(pod, o.root, o.sources);
      } catch (err) {
        o.log.warn({ err, pod: pod.metadata.name, namespace }, 'volume sync failed');
      }
    }
  };
  const handlers = (kind: 'configMap' | 'secret') => ({
    onAdd: (obj: ConfigMap | Secret) => resync(kind, obj.metadata.namespace ?? '', obj.metadata.name),
    onUpdate: (_old: ConfigMap | Secret, obj: ConfigMap | Secret) =>
      resync(kind, obj.metadata.namespace ?? '', obj.metadata.name),
  });
  o.informer.on('configmaps', handlers('configMap'));
  o.informer.on('secrets', handlers('secret'));
}
