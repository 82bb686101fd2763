/**
 * Which behaviour an image name stands for: database-like images (mysql, mariadb,
 * postgres, redis) run a TCP server on their port, app images (`myapp`, anything
 * matching /app/) run a client of `$DB_HOST:$DB_PORT`, everything else the HTTP server.
 */

/** The workload kinds. */
export type ImageKind = 'http' | 'tcp-server' | 'db-client';

const DEFAULT_PORTS: Record<string, number> = { mysql: 3306, mariadb: 3306, postgres: 5432, redis: 6379 };

/** The image's repository name without registry, path and tag (`docker.io/library/mysql:8` → `mysql`). */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  return (last.split(':')[0] ?? last).toLowerCase();
}

/** Picks the workload for an image. */
export function imageKind(image: string): ImageKind {
  const name = imageName(image);
  if (DEFAULT_PORTS[name] !== undefined) return 'tcp-server';
  if (/app/.test(name)) return 'db-client';
  return 'http';
}

/** The port a database-like image listens on by default (3306 mysql/mariadb, 5432 postgres, 6379 redis). */
export function defaultPort(image: string): number | undefined {
  return DEFAULT_PORTS[imageName(image)];
}
