import { describe, expect, it } from 'vitest';
import { defaultPort, imageKind, imageName } from './image-kind.js';

describe('imageKind', () => {
  it.each([
    ['nginx', 'http'],
    ['docker.io/library/nginx:1.27', 'http'],
    ['mysql:8.0', 'tcp-server'],
    ['mariadb', 'tcp-server'],
    ['postgres:16', 'tcp-server'],
    ['bitnami/redis:7', 'tcp-server'],
    ['myapp:latest', 'db-client'],
    ['registry.example.com/team/webapp@sha256:abc', 'db-client'],
  ] as const)('runs %s as %s', (image, kind) => {
    expect(imageKind(image)).toBe(kind);
  });

  it('knows the default port of database images', () => {
    expect(imageName('docker.io/library/postgres:16')).toBe('postgres');
    expect([defaultPort('mysql:8'), defaultPort('postgres'), defaultPort('redis'), defaultPort('nginx')]).toEqual([
      3306,
      5432,
      6379,
      undefined,
    ]);
  });
});
