import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** One unacknowledged AwsSolutions finding. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly description: string;
}

/**
 * Runs the AwsSolutions pack over a whole synthesized app. cdk-nag 3's
 * `Validations` plugin needs a construct tree on the validation context,
 * which aws-cdk-lib 2.257 does not pass yet, so the pack walks the tree
 * directly (`validateScope`) after `app.synth()`.
 */
export function awsSolutionsFindings(app: App): NagFinding[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => ({
    rule: v.ruleName,
    severity: (v.severity === 'error' ? 'error' : 'warning') as 'error' | 'warning',
    path: r.constructPath ?? '(app)',
    description: v.description,
  })));
}

/**
 * Synthesizes the app, prints every AwsSolutions finding and exits with
 * status 1 when any error is not acknowledged.
 */
export function synthWithAwsSolutions(app: App): void {
  app.synth();
  const findings = awsSolutionsFindings(app);
  for (const f of findings) {
    process.stderr.write(`[AwsSolutions ${f.severity}] ${f.rule} at ${f.path}: ${f.description}\n`);
  }
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`${errors.length} unacknowledged AwsSolutions error(s): fix them or acknowledge them with a reason (Validations.of(construct).acknowledge)\n`);
    process.exit(1);
  }
}
