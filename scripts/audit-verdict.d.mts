// Types for audit-verdict.mjs (imported by its unit test).
export interface AuditVerdict {
  verdict: 'pass' | 'fail' | 'unreachable';
  message: string;
}
export function auditVerdict(stdout: string): AuditVerdict;
