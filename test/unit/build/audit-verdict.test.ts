// The CI audit step's reading of `npm audit --omit=dev --json`: high/critical fails, none passes, and an
// unreachable endpoint (as on this machine: 405 to the bulk advisory POST) is reported as not checked.
import { describe, expect, it } from 'vitest';
import { auditVerdict } from '../../../scripts/audit-verdict.mjs';

const clean = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }, dependencies: { prod: 40 } },
});

const withHigh = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    ws: { name: 'ws', severity: 'high', range: '8.0.0 - 8.17.0' },
    debug: { name: 'debug', severity: 'low', range: '<2.6.9' },
  },
  metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high: 1, critical: 0, total: 2 } },
});

// What npm 11 prints here (the registry host replaced).
const endpoint405 = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
});

describe('npm audit verdict', () => {
  it('passes with no high or critical advisory and says what it counted', () => {
    expect(auditVerdict(clean)).toEqual({ verdict: 'pass', message: '0 critical, 0 high, 0 moderate, 0 low, 0 info' });
  });

  it('fails on a high advisory and names the package', () => {
    const v = auditVerdict(withHigh);
    expect(v.verdict).toBe('fail');
    expect(v.message).toContain('ws (high, 8.0.0 - 8.17.0)');
    expect(v.message).not.toContain('debug');
  });

  it('reports an unreachable endpoint as not checked, with the reason', () => {
    expect(auditVerdict(endpoint405)).toEqual({ verdict: 'unreachable', message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk' });
    expect(auditVerdict('').verdict).toBe('unreachable');
    expect(auditVerdict(JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND' } })).message).toBe('getaddrinfo ENOTFOUND');
  });
});
