/**
 * The apiserver proxy paths: `/api/v1/namespaces/<ns>/services/[<scheme>:]<name>[:<port>]/proxy/<path>`,
 * `/api/v1/namespaces/<ns>/pods/[<scheme>:]<name>[:<port>]/proxy/<path>` and
 * `/api/v1/nodes/[<scheme>:]<name>[:<port>]/proxy/<path>`. The path after `proxy` is
 * kept as sent (still percent-encoded), as kube-apiserver passes it on. Pure.
 */

/** What a proxy path addresses. */
export interface ProxyRoute {
  resource: 'services' | 'pods' | 'nodes';
  namespace: string | undefined;
  name: string;
  /** The port (number or name) after the name; '' when none. */
  port: string;
  /** `http` or `https` when given as a prefix; '' when none. */
  scheme: string;
  /** The path to request on the target, starting with `/` (or '' for `.../proxy`). */
  path: string;
}

/** Splits `[scheme:]name[:port]` as kube-apiserver's net.SplitSchemeNamePort does; undefined when malformed. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0] as string;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (name === '' || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme, name, port };
}

/** Parses a proxy path; undefined when the path is not one. */
export function parseProxyRoute(pathname: string): ProxyRoute | undefined {
  const m =
    /^\/api\/v1\/namespaces\/([^/]+)\/(services|pods)\/([^/]+)\/proxy(\/.*)?$/.exec(pathname) ??
    /^\/api\/v1\/()(nodes)\/([^/]+)\/proxy(\/.*)?$/.exec(pathname);
  if (!m) return undefined;
  let id: string;
  let namespace: string | undefined;
  try {
    id = decodeURIComponent(m[3] as string);
    namespace = m[1] ? decodeURIComponent(m[1]) : undefined;
  } catch {
    return undefined;
  }
  const split = splitSchemeNamePort(id);
  if (!split) return undefined;
  return { resource: m[2] as ProxyRoute['resource'], namespace, ...split, path: m[4] ?? '' };
}
