import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One unacknowledged finding of a cdk-nag pack or of the Control Tower rules. */
export interface NagFinding {
  /** `AwsSolutions`, `HIPAA.Security`, `NIST.800.53.R5`, `PCI.DSS.321` or `ControlTower`. */
  readonly pack: string;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly description: string;
}

/** The name aws-cdk-lib gives the Control Tower plugin's findings (`<plugin>::<rule>` acknowledges them, app-wide). */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

function packFindings(pack: NagPack, app: IConstruct): NagFinding[] {
  const report = pack.validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => ({
    pack: pack.name,
    rule: v.ruleName,
    severity: (v.severity === 'error' ? 'error' : 'warning') as 'error' | 'warning',
    path: r.constructPath ?? '(app)',
    description: v.description,
  })));
}

/**
 * Runs the AwsSolutions pack over a whole synthesized app. cdk-nag 3's
 * `Validations` plugin needs a construct tree on the validation context,
 * which aws-cdk-lib 2.257 does not pass yet, so the pack walks the tree
 * directly (`validateScope`) after `app.synth()`.
 */
export function awsSolutionsFindings(app: App): NagFinding[] {
  return packFindings(new AwsSolutionsChecks(), app);
}

/** The four cdk-nag packs a regulated team's reviewers run. */
export function nagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()];
}

/**
 * Runs AWS Control Tower's proactive controls (cfn-guard rules and the
 * cfn-guard binary shipped in `@cdklabs/cdk-validator-cfnguard`; nothing is
 * downloaded) over every template of a synthesized app. The same plugin
 * `bin/app.ts` adds to the App; called directly here so a test gets the
 * findings instead of a printed report and `process.exitCode = 1`.
 * Acknowledgements work as aws-cdk-lib applies them to plugins: the id
 * `cdk-validator-cfnguard::<rule>` anywhere in the app hides that rule
 * everywhere, which is why the library never acknowledges one.
 */
export function controlTowerFindings(app: App): NagFinding[] {
  const assembly = app.synth();
  const stacks = assembly.stacksRecursively;
  // Findings name a template and a logical id; report the construct path instead.
  const pathOf = new Map<string, string>();
  for (const c of app.node.findAll()) {
    if (!CfnElement.isCfnElement(c)) continue;
    const stack = Stack.of(c);
    pathOf.set(`${path.basename(stack.templateFile)}#${stack.resolve(c.logicalId)}`, c.node.path);
  }
  const templatePaths = stacks.map((s) => s.templateFullPath).filter((p) => fs.existsSync(p));
  const report = new CfnGuardValidator().validate({ templatePaths });
  // Acknowledged anywhere in the tree, as aws-cdk-lib collects them for validation plugins.
  const acknowledged = new Set(acknowledgements(app).map((a) => a.rule));
  return report.violations
    .filter((v) => !acknowledged.has(`${CONTROL_TOWER_PLUGIN}::${v.ruleName.replace(/ /g, '-')}`))
    .flatMap((v) => v.violatingResources.map((r) => ({
      pack: 'ControlTower',
      rule: v.ruleName,
      severity: (v.severity === 'warning' ? 'warning' : 'error') as 'error' | 'warning',
      path: pathOf.get(`${path.basename(r.templatePath)}#${r.resourceLogicalId}`) ?? `${path.basename(r.templatePath)}#${r.resourceLogicalId ?? '(template)'}`,
      description: v.description,
    })));
}

/** Runs the four cdk-nag packs over a synthesized app, in this process. */
export function nagPackFindings(app: App): NagFinding[] {
  return nagPacks().flatMap((p) => packFindings(p, app));
}

/**
 * Runs the four cdk-nag packs and the Control Tower rules over a
 * synthesized app, in this process. Returns the unacknowledged findings.
 */
export function complianceFindings(app: App): NagFinding[] {
  return [...nagPackFindings(app), ...controlTowerFindings(app)];
}

/** One line per finding, for a terminal. */
export function formatFinding(f: NagFinding): string {
  return `[${f.pack} ${f.severity}] ${f.rule} at ${f.path}: ${f.description}`;
}

/**
 * Synthesizes the app, prints every finding of the four cdk-nag packs and
 * exits with status 1 when any error is not acknowledged. The Control Tower
 * rules run inside `app.synth()` when the App has the plugin
 * (`Validations.of(app).addPlugins(controlTowerPlugin())`, as bin/app.ts does).
 */
export function synthWithNagPacks(app: App): void {
  app.synth();
  const findings = nagPackFindings(app);
  for (const f of findings) process.stderr.write(`${formatFinding(f)}\n`);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`${errors.length} unacknowledged cdk-nag error(s): fix them or acknowledge them with a reason (Validations.of(construct).acknowledge)\n`);
    process.exit(1);
  }
}

/** AWS Control Tower's proactive controls as a policy validation plugin: `Validations.of(app).addPlugins(controlTowerPlugin())`. */
export function controlTowerPlugin(): CfnGuardValidator {
  return new CfnGuardValidator();
}

/** One acknowledgement recorded in the construct tree. */
export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** Every acknowledgement in the tree (the `annotation::` prefix aws-cdk-lib adds removed). */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of root.node.findAll()) {
    const entries = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data);
    const last = entries.pop()?.data as Record<string, string> | undefined;
    for (const [id, reason] of Object.entries(last ?? {})) out.push({ path: c.node.path, rule: id.replace(/^annotation::/i, ''), reason });
  }
  return out;
}

/** The key a baseline entry has: pack, rule and construct path. */
export function findingKey(f: NagFinding): string {
  return `${f.rule} @ ${f.path}`;
}
