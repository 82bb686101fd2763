/**
 * Pod tokens for node-agents, the way kubelet gets them with TokenRequest: a node-agent
 * asks on `kemu.podtoken.<node>` (NATS request-reply, so a NATS permission can confine
 * each node to its own subject) for the token of a pod bound to it; the apiserver
 * answers with a token bound to that pod (its ServiceAccount, one hour and seven
 * seconds, as kubelet asks), the cluster CA and the namespace, or with an error when the
 * pod is not on that node, has another uid, or its ServiceAccount is missing.
 */
import type { Logger } from '@kemu/log';
import type { NodeBus } from '@kemu/pod-streams';
import type { ApiContext } from '../context.js';

/** The subject a node's agent asks on. */
export const POD_TOKEN_SUBJECT_PREFIX = 'kemu.podtoken';

/** What a node-agent sends. */
export interface PodTokenRequest {
  namespace: string;
  name: string;
  uid: string;
}

/** What it gets back: the files of the projected volume, or why not. */
export type PodTokenReply =
  | { token: string; expirationTimestamp: string; namespace: string; caCrt: string }
  | { error: string };

/** kubelet's projected-token lifetime: an hour, plus seven seconds to tell it apart. */
const POD_TOKEN_SECONDS = 3607;

/** Answers one request from `node`. */
export function podToken(ctx: ApiContext, node: string, req: PodTokenRequest, caCrt: string): PodTokenReply {
  if (!ctx.tokenSigner) return { error: 'ServiceAccount tokens are not configured (KEMU_APISERVER_SA_KEY)' };
  const pod = ctx.informer.lister('pods').get(req.namespace, req.name);
  if (!pod || pod.metadata.uid !== req.uid)
    return { error: `pod ${req.namespace}/${req.name} with uid ${req.uid} not found` };
  if (pod.spec.nodeName !== node) return { error: `pod ${req.namespace}/${req.name} is not bound to node ${node}` };
  const saName = (pod.spec.serviceAccountName as string | undefined) || 'default';
  const sa = ctx.informer.lister('serviceaccounts').get(req.namespace, saName);
  if (!sa) return { error: `serviceaccount ${req.namespace}/${saName} not found` };
  const { token, claims } = ctx.tokenSigner.mint(
    {
      namespace: req.namespace,
      serviceaccount: { name: saName, uid: sa.metadata.uid ?? '' },
      pod: { name: req.name, uid: req.uid },
    },
    { audiences: ['https://kubernetes.default.svc.cluster.local'], seconds: POD_TOKEN_SECONDS, nowMs: ctx.clock() },
  );
  return { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString(), namespace: req.namespace, caCrt };
}

/** Serves pod-token requests on the bus until the returned function is called. */
export function servePodTokens(ctx: ApiContext, bus: NodeBus, caCrt: string, log: Logger): () => void {
  const sub = bus.subscribe(`${POD_TOKEN_SUBJECT_PREFIX}.*`, {
    callback: (err, msg) => {
      if (err) return;
      const node = msg.subject.slice(POD_TOKEN_SUBJECT_PREFIX.length + 1);
      let reply: PodTokenReply;
      try {
        const req = JSON.parse(new TextDecoder().decode(msg.data)) as PodTokenRequest;
        reply = podToken(ctx, node, req, caCrt);
      } catch (e) {
        reply = { error: `bad pod token request: ${(e as Error).message}` };
      }
      if ('error' in reply) log.warn({ node, error: reply.error }, 'pod token refused');
      msg.respond(new TextEncoder().encode(JSON.stringify(reply)));
    },
  });
  return () => sub.unsubscribe();
}
