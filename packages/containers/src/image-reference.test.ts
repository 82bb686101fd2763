import { describe, expect, it } from 'vitest';
import { containerArgv, containerEnvironment, imageDefinition, parseImageReference } from './image-reference.js';

describe('parseImageReference', () => {
  it('drops Docker Hub prefixes, keeps other registries and reads the tag', () => {
    expect(parseImageReference('docker.io/library/busybox:1.36')).toEqual({ name: 'busybox', tag: '1.36' });
    expect(parseImageReference('registry.k8s.io/e2e-test-images/agnhost:2.47')).toEqual({
      name: 'registry.k8s.io/e2e-test-images/agnhost',
      tag: '2.47',
    });
    expect(parseImageReference('localhost:5000/app')).toEqual({ name: 'localhost:5000/app', tag: 'latest' });
    expect(parseImageReference('nginx@sha256:abc')).toEqual({ name: 'nginx', tag: 'latest' });
  });
});

describe('imageDefinition', () => {
  it('maps every busybox name to the busybox root filesystem', () => {
    for (const ref of [
      'busybox',
      'busybox:1.28',
      'registry.k8s.io/busybox:latest',
      'gcr.io/google-containers/busybox',
    ]) {
      expect(imageDefinition(ref).rootfs).toBe('busybox');
    }
  });

  it('maps the curl and DNS debugging images', () => {
    expect(imageDefinition('curlimages/curl:8.5.0').rootfs).toBe('curl');
    expect(imageDefinition('radial/busyboxplus:curl').rootfs).toBe('curl');
    expect(imageDefinition('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3').rootfs).toBe('dnsutils');
  });

  it('maps kubectl images, whose args go to kubectl', () => {
    const bitnami = imageDefinition('bitnami/kubectl:1.32', { hasArgs: true });
    expect(bitnami.rootfs).toBe('kubectl');
    expect(containerArgv(bitnami.config, undefined, ['get', 'pods'])).toEqual(['kubectl', 'get', 'pods']);
    expect(containerArgv(bitnami.config)).toEqual(['kubectl', '--help']);
    expect(imageDefinition('registry.k8s.io/kubectl:v1.32.0').rootfs).toBe('kubectl');
  });

  it('runs unknown images as the kemu workload, or in busybox+curl when they bring a command', () => {
    expect(imageDefinition('nginx:1.25').rootfs).toBe('workload');
    expect(imageDefinition('registry.k8s.io/e2e-test-images/agnhost:2.47').rootfs).toBe('workload');
    expect(imageDefinition('myapp:latest', { hasCommand: true }).rootfs).toBe('curl');
    expect(imageDefinition('busybox', { hasCommand: true }).rootfs).toBe('busybox');
    expect(imageDefinition('alpine', { hasArgs: true }).rootfs).toBe('curl');
    expect(imageDefinition('registry.k8s.io/e2e-test-images/agnhost:2.47', { hasArgs: true }).rootfs).toBe('workload');
  });
});

describe('containerArgv', () => {
  const curl = imageDefinition('curlimages/curl').config;

  it('appends args to the entrypoint, replacing the cmd', () => {
    expect(containerArgv(curl, undefined, ['-s', 'http://x'])).toEqual(['/entrypoint.sh', '-s', 'http://x']);
    expect(containerArgv(curl)).toEqual(['/entrypoint.sh', 'curl']);
  });

  it('lets command replace the entrypoint and drop the cmd', () => {
    expect(containerArgv(curl, ['sh', '-c', 'true'])).toEqual(['sh', '-c', 'true']);
    expect(containerArgv(curl, ['echo'], ['a'])).toEqual(['echo', 'a']);
  });

  it('keeps the image PATH unless the container sets one', () => {
    expect(containerEnvironment(curl, { A: '1' }).PATH).toContain('/usr/bin');
    expect(containerEnvironment(curl, { PATH: '/x' }).PATH).toBe('/x');
  });
});
