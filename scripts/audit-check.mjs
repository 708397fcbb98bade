// CI step: `npm audit --omit=dev` must report no high or critical advisory. When the registry's audit
// endpoint cannot be reached (this workplace's registry answers 405 to its POST), it says so loudly and
// passes, since nothing was checked either way; set AUDIT_REQUIRED=1 to make that a failure.
import { spawnSync } from 'node:child_process';
import { auditVerdict } from './audit-verdict.mjs';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
const { verdict, message } = auditVerdict(run.stdout ?? '');
if (verdict === 'pass') {
  console.log(`npm audit --omit=dev: no high or critical advisory (${message})`);
} else if (verdict === 'fail') {
  console.error(`npm audit --omit=dev: FAILED, high or critical advisories: ${message}`);
  process.exit(1);
} else {
  console.log(`npm audit --omit=dev: NOT CHECKED - the registry's audit endpoint is unreachable from this machine (${message}).`);
  console.log('npm audit --omit=dev: run it where the npm registry answers audits; set AUDIT_REQUIRED=1 to fail here instead.');
  if (process.env.AUDIT_REQUIRED === '1') process.exit(1);
}
