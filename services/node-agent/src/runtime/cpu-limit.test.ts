import { describe, expect, it } from 'vitest';
import { cpuQuotaUs, detectCpuMechanism, parseMillicores } from './cpu-limit.js';

describe('cpu limits', () => {
  it('turns quantities into millicores and millicores into a CFS quota as the kubelet does', () => {
    expect(parseMillicores('200m')).toBe(200);
    expect(parseMillicores('0.5')).toBe(500);
    expect(parseMillicores('2')).toBe(2000);
    expect(parseMillicores('1.5Gi')).toBeNaN();
    expect(cpuQuotaUs(200)).toBe(20_000);
    expect(cpuQuotaUs(1500)).toBe(150_000);
    expect(cpuQuotaUs(1)).toBe(1_000);
  });

  it('detects a mechanism for this machine', () => {
    expect(['cgroup2', 'cgroup1', 'none']).toContain(detectCpuMechanism());
  });
});
