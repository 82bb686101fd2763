import { describe, expect, it } from 'vitest';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  validateName,
} from './names.js';

describe('name formats', () => {
  it('words a DNS-1035 failure exactly like Kubernetes', () => {
    expect(isDNS1035Label('1abc')).toEqual([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1035Label('web-service')).toEqual([]);
  });

  it('checks DNS-1123 labels and subdomains with length limits', () => {
    expect(isDNS1123Label('a.b')[0]).toMatch(/^a lowercase RFC 1123 label must consist/);
    expect(isDNS1123Label('x'.repeat(64))[0]).toBe('must be no more than 63 characters');
    expect(isDNS1123Subdomain('my.pod-1')).toEqual([]);
    expect(isDNS1123Subdomain('My_Pod')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('checks label keys and values', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('-app')[0]).toMatch(/^name part must consist of alphanumeric characters/);
    expect(isQualifiedName('/app')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist/);
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2.0')).toEqual([]);
    expect(isValidLabelValue('bad value')[0]).toMatch(/^a valid label must be an empty string/);
  });

  it('checks IANA service names', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('very-long-port-name')).toContain('must be no more than 15 characters');
  });

  it('picks the name rule by kind or resource', () => {
    expect(validateName('Service', '1svc')).toHaveLength(1);
    expect(validateName('services', 'a.b')).toHaveLength(1);
    expect(validateName('Pod', 'a.b')).toEqual([]);
    expect(validateName('namespaces', 'a.b')).toHaveLength(1);
    expect(validateName('Pod', 'web-', true)).toEqual([]);
  });
});
