/**
 * The apiserver's HTTP(S) front: one handler for every listening address, routing to
 * version, health, discovery, OpenAPI and resource handlers. With TLS and tokens (the
 * process always has both) every request but the public-info paths needs a valid
 * bearer token, else it gets a 401 Status. Reads come from the
 * informer's view, writes go to the event log through the object writer; until the
 * view is synced resource requests get 503. One debug line per request.
 */
import { type Ipv4Cidr, type ObjectKey, decodeBody, methodNotAllowed, unauthorized, unavailable } from '@kemu/api';
import type { Informer, ObjectWriter } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type HistoryLimits, createChangeHistory } from '../verbs/change-history.js';
import { createListSnapshots } from '../verbs/list-snapshots.js';
import { createClusterIpAllocator } from '../cluster-ip/cluster-ip-allocator.js';
import { createAuthenticator, isPublicPath, type StaticToken } from './authn.js';
import { CREATE_ACCESS_REVIEW, SELF_SUBJECT_ACCESS_REVIEW_PATH, reviewAccess } from '../auth/access-review.js';
import { createAuthorizer } from '../auth/authorizer.js';
import { authorizationDiscovery } from '../auth/authorization-discovery.js';
import { CREATE_RULES_REVIEW, SELF_SUBJECT_RULES_REVIEW_PATH, reviewRules } from '../auth/rules-review.js';
import { forbiddenStatus } from '../auth/forbidden.js';
import { effectiveUser } from '../auth/impersonation.js';
import { createServiceAccountAuthenticator } from '../auth/service-account-authn.js';
import type { TokenSigner } from '../auth/service-account-token.js';
import { requestAttributes } from '../auth/request-attributes.js';
import type { UserInfo } from '../auth/user-info.js';
import { answerClientError } from './client-errors.js';
import type { ApiContext } from '../context.js';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiResourceList,
  legacyApiGroupList,
  legacyApiVersions,
  wantsAggregatedDiscovery,
} from '../discovery/discovery.js';
import { pathNotFound, readBodyBytes, sendError, sendJson, sendText, toApiError } from './http-io.js';
import { createNamespaceFinalizer } from '../controllers/namespace-finalizer.js';
import { openApiDocument, openApiRoot } from '../discovery/openapi.js';
import { openApiV2Body } from '../discovery/openapi-v2.js';
import { READ_METHODS } from '../read-only.js';
import { handleResource } from './resource-handler.js';
import { createPodStreamUpgrades } from '../streams/pod-exec.js';
import { serveProxy } from '../proxy/proxy-handler.js';
import { parseProxyRoute, proxySubresourcePath } from '../proxy/proxy-route.js';
import type { NodeBus } from '@kemu/pod-streams';
import { type Route, parseRoute } from './router.js';
import { decodeKubernetesProtobuf, isProtobuf } from './kubernetes-protobuf.js';
import { KUBERNETES_VERSION, versionInfo } from '../discovery/version.js';
import { type MetricsRegistry, createMetricsRegistry, serveMetrics } from '@kemu/metrics';
import { metricsApiGroup, metricsApiResourceList } from '../metrics/metrics-api-route.js';
import { metricsApiObject } from '../metrics/metrics-api-handler.js';
import { type FetchResourceMetrics, createResourceScraper, fetchThroughNodeBus } from '../metrics/resource-scraper.js';
import { createRequestMetrics } from '../metrics/request-metrics.js';

/** What the apiserver is built from. */
export interface ApiServerOptions {
  informer: Informer;
  writer: ObjectWriter;
  serviceCidr: Ipv4Cidr;
  log: Logger;
  clock?: () => number;
  bookmarkIntervalMs?: number;
  /** What the watch history keeps per resource (default DEFAULT_HISTORY_LIMITS). */
  history?: HistoryLimits;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Bearer tokens that authenticate a request (a bare string is a system:masters admin's); none means every request is such an admin (plain HTTP tests). */
  tokens?: readonly (string | StaticToken)[];
  /** NATS, to reach node-agents for pod logs, exec and attach. */
  nodeBus?: NodeBus;
  /** Signs and verifies ServiceAccount tokens (the cluster's ServiceAccount key). */
  tokenSigner?: TokenSigner;
  /** Concurrent watch streams served; one more is a 429 (default DEFAULT_MAX_WATCHES). */
  maxWatches?: number;
  /**
   * Serve the informer's view read-only (`kemu replay`): every write verb is a 405
   * MethodNotAllowed Status with this message, and the namespace finalizer (a writer)
   * does not run.
   */
  readOnly?: { message: string };
  /** The registry served at /metrics, where request metrics go (default: a new one). */
  metrics?: MetricsRegistry;
  /** Reads a node's /metrics/resource for metrics.k8s.io (default: through the node bus). */
  fetchResourceMetrics?: FetchResourceMetrics;
}

/** A running (or ready to listen) apiserver. */
export interface ApiServer {
  readonly context: ApiContext;
  /** Listens on each `host:port`; returns the bound addresses (port 0 picks a free one). */
  listen(addresses: readonly string[]): Promise<AddressInfo[]>;
  /** Stops listening, ends open watches and stops the background loops. */
  close(): Promise<void>;
}

/**
 * Concurrent watches an apiserver serves by default. Each costs a socket, a history
 * subscription and its buffer; kube-apiserver bounds them through its in-flight limits
 * and answers 429. A kemu cluster's components hold tens, kubectl a few.
 */
export const DEFAULT_MAX_WATCHES = 2_000;

/** Splits `host:port` (IPv6 hosts in brackets). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(text)}, want host:port`);
  return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
}

/** `resource ns/name` of a resource path, for log lines. */
function objectOf(pathname: string): string | undefined {
  const r = parseRoute(pathname);
  if (r.kind !== 'resource') return undefined;
  const where = r.namespace ? `${r.namespace}/${r.name ?? ''}` : (r.name ?? '');
  return `${r.type.resource} ${where}`.trim();
}

/** Creates the apiserver over a synced informer. */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { informer, writer, log } = options;
  const history = createChangeHistory(informer.view.seq, options.history);
  const allocator = createClusterIpAllocator({ cidr: options.serviceCidr, informer, writer, log });
  const context: ApiContext = {
    informer,
    writer,
    history,
    lists: createListSnapshots(informer.view, history),
    allocator,
    log,
    clock: options.clock ?? Date.now,
    version: KUBERNETES_VERSION,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    nodeBus: options.nodeBus,
    watches: { open: 0, max: options.maxWatches ?? DEFAULT_MAX_WATCHES },
    tokenSigner: options.tokenSigner,
  };
  const authn = createAuthenticator(
    options.tokens ?? [],
    options.tokenSigner && createServiceAccountAuthenticator(options.tokenSigner, informer, context.clock),
  );
  const authz = createAuthorizer(informer);
  const registry = options.metrics ?? createMetricsRegistry();
  const requestMetrics = createRequestMetrics(registry);
  const fetchUsage =
    options.fetchResourceMetrics ??
    (options.nodeBus ? fetchThroughNodeBus(options.nodeBus) : () => Promise.reject(new Error('no node bus')));
  const scraper = createResourceScraper(fetchUsage);
  /** The user a request acts as; 401 without credentials, 403 when the user may not do what it asks. */
  function admit(req: IncomingMessage, url: URL, route: Route): UserInfo | undefined {
    const requester = authn.authenticate(req.headers);
    if (!requester) {
      if (isPublicPath(url.pathname)) return undefined;
      throw unauthorized();
    }
    const user = effectiveUser(requester, req.headers, authz);
    const attributes =
      url.pathname === SELF_SUBJECT_ACCESS_REVIEW_PATH
        ? CREATE_ACCESS_REVIEW
        : url.pathname === SELF_SUBJECT_RULES_REVIEW_PATH
          ? CREATE_RULES_REVIEW
          : requestAttributes(req.method ?? 'GET', route, url.pathname, url.searchParams);
    if (!authz.allows(user, attributes)) throw forbiddenStatus(user, attributes);
    return user;
  }
  const upgrades = createPodStreamUpgrades(context, (req, pathname) => {
    const url = new URL(req.url ?? pathname, 'http://apiserver');
    try {
      admit(req, url, parseRoute(url.pathname));
      return true;
    } catch {
      return false;
    }
  });
  const finalizer = options.readOnly ? undefined : createNamespaceFinalizer(context);
  const stopFeed = informer.onAnyChange((c) => {
    const change = { type: c.type, seq: c.seq, key: c.key as ObjectKey, object: c.object, old: c.old };
    history.record(change);
    finalizer?.onChange(change);
  });
  void finalizer?.sweep().catch((err) => log.error({ err }, 'namespace sweep failed'));

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, user: UserInfo | undefined) {
    const accept = req.headers.accept;
    const review = url.pathname === SELF_SUBJECT_ACCESS_REVIEW_PATH || url.pathname === SELF_SUBJECT_RULES_REVIEW_PATH;
    if (review && user) {
      if (req.method !== 'POST') throw methodNotAllowed();
      const bytes = await readBodyBytes(req);
      const contentType = req.headers['content-type'];
      const body = isProtobuf(contentType)
        ? decodeKubernetesProtobuf(bytes)
        : decodeBody(bytes.toString('utf8'), contentType);
      if (url.pathname === SELF_SUBJECT_RULES_REVIEW_PATH)
        return sendJson(
          res,
          201,
          reviewRules(body, (ns) => authz.rules(user, ns)),
        );
      return sendJson(res, 201, reviewAccess(body, user, authz));
    }
    const authorizationGroup = req.method === 'GET' ? authorizationDiscovery(url.pathname) : undefined;
    if (authorizationGroup) return sendJson(res, 200, authorizationGroup);
    switch (r.kind) {
      case 'version':
        return sendJson(res, 200, versionInfo());
      case 'health':
        if (r.check.startsWith('readyz') && !informer.isSynced())
          return sendText(res, 500, '[-]informer-sync failed: not synced\nreadyz check failed');
        return sendText(res, 200, 'ok');
      case 'discovery':
        if (wantsAggregatedDiscovery(accept))
          return sendJson(res, 200, aggregatedDiscovery(r.core), AGGREGATED_DISCOVERY_CONTENT_TYPE);
        return sendJson(res, 200, r.core ? legacyApiVersions(req.headers.host ?? '127.0.0.1') : legacyApiGroupList());
      case 'group':
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(r.group) });
      case 'group-version':
        return sendJson(res, 200, apiResourceList(r.group, r.version));
      case 'openapi-root':
        return sendJson(res, 200, openApiRoot());
      case 'openapi-document':
        return sendJson(res, 200, openApiDocument(r.group, r.version));
      case 'openapi-v2': {
        const { contentType, body } = openApiV2Body(accept);
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(body.length) });
        return void res.end(body);
      }
      case 'metrics':
        return serveMetrics(registry, req, res);
      case 'metrics-api':
        if (!r.version) return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup() });
        if (!r.resource) return sendJson(res, 200, metricsApiResourceList());
        if (req.method !== 'GET') throw methodNotAllowed();
        return sendJson(res, 200, await metricsApiObject(context, scraper, r, url.searchParams));
      case 'resource':
        if (options.readOnly && !READ_METHODS.has(req.method ?? 'GET'))
          throw methodNotAllowed(options.readOnly.message);
        if (!informer.isSynced())
          throw unavailable('the apiserver is starting: its view of the event log is not synced yet');
        return handleResource(context, r, req, res, url);
      default:
        throw pathNotFound();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://apiserver');
    let r: Route = { kind: 'not-found' };
    try {
      const proxy = parseProxyRoute(url.pathname);
      // A proxy request is authorized as its resource's `proxy` subresource, as kube-apiserver does.
      r = parseRoute(proxy ? proxySubresourcePath(url.pathname) : url.pathname);
      const user = admit(req, url, r);
      if (proxy) await serveProxy(context, proxy, req, res, url.search);
      else await route(req, res, url, r, user);
    } catch (err) {
      const apiErr = toApiError(err);
      const object = objectOf(url.pathname);
      if (apiErr.code >= 500) log.error({ err, method: req.method, path: url.pathname, object }, 'request failed');
      else if (apiErr.code !== 404)
        log.warn({ method: req.method, object, reason: apiErr.reason, message: apiErr.message }, 'request refused');
      sendError(res, apiErr);
    } finally {
      const done = () => {
        const ms = Date.now() - started;
        requestMetrics.observe(req.method ?? 'GET', r, url.searchParams, res.statusCode, ms / 1000);
        log.debug({ method: req.method, url: req.url, code: res.statusCode, ms }, 'request');
      };
      if (res.writableEnded) done();
      else res.once('close', done);
    }
  }

  const servers: Server[] = [];
  return {
    context,
    async listen(addresses) {
      const bound: AddressInfo[] = [];
      for (const a of addresses) {
        const { host, port } = parseListenAddress(a);
        const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0 };
        const handler = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
        const server: Server = options.tls
          ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
          : createServer(serverOptions, handler);
        server.on('upgrade', (req, socket, head) => upgrades.handle(req, socket, head));
        server.on('clientError', answerClientError);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        servers.push(server);
        bound.push(server.address() as AddressInfo);
        log.info({ address: server.address(), tls: options.tls !== undefined }, 'apiserver listening');
      }
      return bound;
    },
    async close() {
      stopFeed();
      authz.stop();
      finalizer?.stop();
      upgrades.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      servers.length = 0;
    },
  };
}
