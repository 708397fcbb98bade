// Reads `npm audit --omit=dev --json` output: 'fail' on any high or critical advisory, 'pass' on none,
// 'unreachable' when the registry's audit endpoint did not answer (so CI says so instead of passing
// silently or failing for a reason that is not ours). Pure; scripts/audit-check.mjs runs npm.

/** @typedef {{ verdict: 'pass' | 'fail' | 'unreachable', message: string }} AuditVerdict */

/**
 * @param {string} stdout npm audit --json output
 * @returns {AuditVerdict}
 */
export function auditVerdict(stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { verdict: 'unreachable', message: `npm audit printed no JSON report (${stdout.trim().slice(0, 120) || 'nothing'})` };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts || typeof counts !== 'object') {
    // npm prints the failed request as JSON: {"message":"405 Method Not Allowed - POST …","statusCode":405,…}
    // or {"error":{"code":"ENOTFOUND","summary":…}}.
    const why = report?.message ?? report?.error?.summary ?? report?.error?.code ?? 'no vulnerability counts in the report';
    return { verdict: 'unreachable', message: String(why).slice(0, 200) };
  }
  const high = Number(counts.high ?? 0);
  const critical = Number(counts.critical ?? 0);
  const summary = ['critical', 'high', 'moderate', 'low', 'info'].map((k) => `${Number(counts[k] ?? 0)} ${k}`).join(', ');
  if (high + critical === 0) return { verdict: 'pass', message: summary };
  const names = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v && (v.severity === 'high' || v.severity === 'critical'))
    .map(([name, v]) => `${name} (${v.severity}${v.range ? `, ${v.range}` : ''})`);
  return { verdict: 'fail', message: `${summary}: ${names.join('; ')}` };
}
