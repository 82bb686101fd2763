import { parseCidr } from '@kemu/api';
import { hollowNodeLayout } from '@kemu/kubelet';
import { describe, expect, it } from 'vitest';
import { hollowRouteCommands } from './hollow-routes.js';

describe('hollowRouteCommands', () => {
  it('makes each hollow pod CIDR unreachable, and nothing else', () => {
    const hollow = hollowNodeLayout('hollow', 2, parseCidr('10.244.0.0/16'));
    expect(hollowRouteCommands(hollow)).toEqual([
      ['route', 'replace', 'unreachable', '10.244.255.0/24'],
      ['route', 'replace', 'unreachable', '10.244.254.0/24'],
    ]);
  });
});
