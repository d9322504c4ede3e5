/**
 * Preloaded (`node -r`) into each example's process by synth-examples.ts:
 * after the example's own `app.synth()`, runs cdk-nag's AwsSolutions,
 * HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs and AWS Control
 * Tower's proactive controls over the app (bin/nag.ts), in this process, and
 * exits with status 1 on any unacknowledged error. The examples stay what a user copies: they
 * import the package by name and end with `app.synth()`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { complianceFindings, formatFinding } from '../bin/nag';

const synth = App.prototype.synth;
let checking = false;
App.prototype.synth = function synthAndCheck(this: App, ...args: Parameters<App['synth']>) {
  const assembly = synth.apply(this, args);
  // The checks call `app.synth()` again (it returns the same assembly): check once.
  if (checking) return assembly;
  checking = true;
  const started = Date.now();
  const errors = complianceFindings(this).filter((f) => f.severity === 'error');
  const app = `examples/${path.basename(process.argv[1] ?? '')}`;
  // Measuring: COMPLIANCE_FINDINGS_DIR receives every finding of this example as JSON.
  if (process.env.COMPLIANCE_FINDINGS_DIR) fs.writeFileSync(path.join(process.env.COMPLIANCE_FINDINGS_DIR, `${path.basename(app, '.ts')}.json`), JSON.stringify(errors, undefined, 1));
  for (const f of errors) process.stderr.write(`${formatFinding(f)}\n`);
  process.stdout.write(`compliance checks of ${app}: ${errors.length} unacknowledged error(s), ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  if (errors.length > 0) process.exit(1);
  return assembly;
};
