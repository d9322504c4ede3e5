/**
 * Preloaded (`node -r`) into each example's process by synth-examples.ts:
 * after the example's own `app.synth()`, runs cdk-nag's AwsSolutions pack
 * over the app (bin/nag.ts) and exits with status 1 on an unacknowledged
 * error. The examples stay what a user copies: they import the package by
 * name and end with `app.synth()`.
 */
import { App } from 'aws-cdk-lib';
import { awsSolutionsFindings } from '../bin/nag';

const synth = App.prototype.synth;
App.prototype.synth = function synthAndCheck(this: App, ...args: Parameters<App['synth']>) {
  const assembly = synth.apply(this, args);
  const findings = awsSolutionsFindings(this);
  for (const f of findings) process.stderr.write(`[AwsSolutions ${f.severity}] ${f.rule} at ${f.path}: ${f.description}\n`);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`${errors.length} unacknowledged AwsSolutions error(s)\n`);
    process.exit(1);
  }
  return assembly;
};
