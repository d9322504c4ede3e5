import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CONTROL_TOWER_REASONS } from '../bin/app-compliance';
import { acknowledgements, awsSolutionsFindings, complianceFindings, CONTROL_TOWER_PLUGIN, findingKey } from '../bin/nag';
import { ReferenceStack } from '../bin/reference-stack';
import { COMPLIANCE_DOC, readmeApp, REGULATED_HEADING } from './support/readme-app';

/** Constructs of the reference app itself (bin/), not of the library. */
/** The reference app's own constructs (its backend) and its stack (the app's Control Tower acknowledgements). */
const USER_OWNED = ['Backend'];

const ORDERS = 'https://api.acme.example/orders';
const INVOICES = 'https://api.acme.example/invoices';

function synth() {
  const app = new App();
  const stack = new ReferenceStack(app, 'Ref');
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

/** Resolves a scope entry of a client (`Fn::Join` of a resource-server Ref and a name) to its text. */
function scopeText(template: Template, entry: any): string {
  if (typeof entry === 'string') return entry;
  const [ref, name] = entry['Fn::Join'][1];
  const server = template.toJSON().Resources[ref.Ref];
  return `${server.Properties.Identifier}${name}`;
}

describe('reference app', () => {
  test('has exactly the three tenants and the platform operator, with their scopes and token lifetimes', () => {
    const { stack, template } = synth();
    const m2mPool = stack.resolve(stack.pool.userPoolId);
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))
      .filter((c) => JSON.stringify(c.Properties.UserPoolId) === JSON.stringify(m2mPool));
    const byName = Object.fromEntries(clients.map((c) => [c.Properties.ClientName, {
      scopes: c.Properties.AllowedOAuthScopes.map((s: unknown) => scopeText(template, s)).sort(),
      validity: c.Properties.AccessTokenValidity,
    }]));
    expect(byName).toEqual({
      'globex': { scopes: [`${INVOICES}/read`, `${ORDERS}/read`, `${ORDERS}/write`], validity: 15 },
      'initech': { scopes: [`${ORDERS}/read`], validity: 60 },
      'umbrella': { scopes: [`${INVOICES}/read`, `${INVOICES}/write`], validity: 120 },
      'platform-ops': { scopes: ['m2m-portal/admin'], validity: 15 },
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 4);
  });

  test('the portal has its web UI: a sign-in pool apart from the M2M pool, with one public web client, and the business API in its catalog', () => {
    const { stack, template } = synth();
    template.resourceCountIs('AWS::Cognito::UserPool', 2);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const people = stack.resolve(stack.portal.signInPool!.userPoolId);
    const webClients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))
      .filter((c) => JSON.stringify(c.Properties.UserPoolId) === JSON.stringify(people));
    expect(webClients.map((c) => [c.Properties.GenerateSecret, c.Properties.AllowedOAuthFlows])).toEqual([[false, ['code']]]);
    template.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', { Username: 'platform-admin', GroupName: 'platform-admins' });
  });

  test('has the orders, invoices and portal resource servers', () => {
    const { template } = synth();
    const servers = Object.values(template.findResources('AWS::Cognito::UserPoolResourceServer'))
      .map((r) => [r.Properties.Identifier, r.Properties.Scopes.map((s: any) => s.ScopeName)]);
    expect(Object.fromEntries(servers)).toEqual({ [ORDERS]: ['read', 'write'], [INVOICES]: ['read', 'write'], 'm2m-portal': ['admin', 'tenant-admin'] });
  });

  test('gates every method by its scope except the public health check', () => {
    const { stack } = synth();
    const routes = stack.api.routes.map((r) => `${r.httpMethod} ${r.resourcePath} ${r.isPublic ? 'PUBLIC' : r.scopes.join(',')}`);
    expect(routes).toEqual([
      `GET /orders ${ORDERS}/read`,
      `POST /orders ${ORDERS}/write`,
      `GET /orders/{orderId} ${ORDERS}/read`,
      `GET /invoices ${INVOICES}/read`,
      `POST /invoices ${INVOICES}/write`,
      'GET /health PUBLIC',
    ]);
    const apiId = stack.resolve(stack.api.restApiId).Ref;
    const methods = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method'))
      .filter((m) => m.Properties.RestApiId.Ref === apiId);
    expect(methods).toHaveLength(6);
    const open = methods.filter((m) => m.Properties.AuthorizationType === 'NONE');
    expect(open).toHaveLength(1);
    for (const m of methods.filter((x) => x.Properties.AuthorizationType !== 'NONE')) {
      expect(m.Properties.AuthorizerId).toEqual({ Ref: expect.stringMatching(/Authorizer/) });
    }
  });

  test('the portal API gates all its 21 methods, answers its web UI\'s CORS preflights, and the business API trusts the portal registry', () => {
    const { stack, template } = synth();
    // Every route of the portal's route table (lib/private/contracts/portal-routes.ts), token budgets' included.
    expect(stack.portal.api.routes.filter((r) => !r.isPublic)).toHaveLength(21);
    // The only public methods are the preflights, one per resource.
    expect(stack.portal.api.routes.filter((r) => r.isPublic).map((r) => r.httpMethod)).toEqual(Array(14).fill('OPTIONS'));
    const authorizers = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.CLIENT_TENANTS);
    expect(authorizers).toHaveLength(2);
    // The portal's authorizer also admits people of the web UI's sign-in pool.
    expect(authorizers.filter((f) => f.Properties.Environment.Variables.PEOPLE_POOL_ID)).toHaveLength(1);
    for (const f of authorizers) expect(f.Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: expect.stringMatching(/Registry/) });
  });

  test('cdk-nag\'s four packs and the Control Tower rules report no unacknowledged error', () => {
    const { app } = synth();
    const errors = complianceFindings(app).filter((f) => f.severity === 'error');
    expect(errors.map(findingKey)).toEqual([]);
    // Nothing the library adds hides a Control Tower rule (aws-cdk-lib applies those acknowledgements
    // app-wide): the only ones are the app's own, on its stack, with the reasons of bin/app-compliance.ts.
    const controlTower = acknowledgements(app).filter((a) => a.rule.startsWith(`${CONTROL_TOWER_PLUGIN}::`));
    expect(controlTower.filter((a) => a.path !== 'Ref')).toEqual([]);
    expect(controlTower.length).toBe(9);
    expect(controlTower.map((a) => a.reason)).toEqual(controlTower.map((a) => CONTROL_TOWER_REASONS[a.rule.slice(CONTROL_TOWER_PLUGIN.length + 2)]));
  });

  test('the library\'s own roles (rotation, portal) are not reported as holding AddUserPoolClientSecret', () => {
    const { stack } = synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AddUserPoolClientSecret'))).toEqual([]);
  });

  test('docs/compliance.md lists exactly the acknowledgements the library makes in the reference app', () => {
    const { app } = synth();
    // The reference app uses every construct with its defaults; the regulated configuration in docs/compliance.md
    // sets the props, which brings the acknowledgements those make (the backup selection's role).
    const regulated = readmeApp(REGULATED_HEADING);
    const rows = new Set([
      ...acknowledgements(app).filter((a) => a.path !== 'Ref' && !USER_OWNED.some((p) => a.path === `Ref/${p}` || a.path.startsWith(`Ref/${p}/`))),
      ...acknowledgements(regulated).filter((a) => a.path.startsWith('RegulatedM2m/') && !a.path.startsWith('RegulatedM2m/Vpc/')),
    ].map((a) => `| \`${a.rule}\` | ${a.reason.replace(/\|/g, '\\|')} |`));
    const readme = fs.readFileSync(path.join(__dirname, '..', COMPLIANCE_DOC), 'utf8');
    const block = readme.split('<!-- library-acknowledgements:start -->')[1]?.split('<!-- library-acknowledgements:end -->')[0] ?? '';
    const listed = block.split('\n').filter((l) => l.startsWith('| `'));
    expect(listed.sort()).toEqual([...rows].sort());
  });

  test('the acknowledgement mechanism is live: an unacknowledged finding is reported', () => {
    // A wildcard IAM policy added without acknowledgement must show up as an error,
    // so the zero-error test above cannot pass vacuously.
    const app = new App();
    const stack = new ReferenceStack(app, 'Ref');
    new iam.Policy(stack, 'Wild', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
      roles: [new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })],
    });
    app.synth();
    expect(awsSolutionsFindings(app).filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']),
    );
  });
});
