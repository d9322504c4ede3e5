/**
 * Replacement safety: a platform team's everyday changes to the reference app
 * (tenants added, removed or reordered, a scope added, a method added, a portal
 * setting changed) must never make CloudFormation replace a user pool, app
 * client, resource server, domain, table, key or secret: a replaced pool or
 * table loses its data, a replaced client gets a new id and secret, a replaced
 * key cannot decrypt what the old one encrypted.
 *
 * A resource is replaced when its logical id disappears or changes, or when a
 * property CloudFormation cannot update in place changes. Those properties come
 * from CloudFormation's resource schemas (`createOnlyProperties`) as cfn-lint
 * ships them (scripts/cfn-lint.ts installs it). A createOnly property that
 * references a replaced resource changes too, so replacements propagate.
 */
import { App, CfnResource, Duration } from 'aws-cdk-lib';
import { ReferenceStack } from '../bin/reference-stack';
import { REFERENCE_TENANTS, ReferenceVariant } from '../bin/reference-variant';
import { CfnLint, ensureCfnLint, resourceSchema } from '../scripts/cfn-lint';

/** The resource types whose replacement loses data or identities. */
const GUARDED = new Set([
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolResourceServer',
  'AWS::Cognito::UserPoolDomain',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
]);

interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

interface Replacement {
  readonly logicalId: string;
  readonly type: string;
  readonly path: string;
  readonly reason: string;
}

let cfnLint: CfnLint;
const createOnlyCache = new Map<string, string[]>();

/** `createOnlyProperties` (and `conditionalCreateOnlyProperties`) of a type; none for types without a schema (custom resources). */
function createOnly(type: string): string[] {
  if (!createOnlyCache.has(type)) {
    let pointers: string[] = [];
    if (type.startsWith('AWS::') && type !== 'AWS::CDK::Metadata') {
      const schema = resourceSchema(cfnLint, type);
      pointers = [...schema.createOnlyProperties ?? [], ...schema.conditionalCreateOnlyProperties ?? []];
    }
    createOnlyCache.set(type, pointers);
  }
  return createOnlyCache.get(type)!;
}

/** The value at a schema pointer such as `/properties/UserPoolId` (undefined when absent). */
function at(resource: Template['Resources'][string], pointer: string): unknown {
  const parts = pointer.split('/').slice(2);
  let value: unknown = resource.Properties;
  for (const p of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[p];
  }
  return value;
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub). */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        into.add(v);
      } else if (k === 'Fn::GetAtt') {
        into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([^!.}][^.}]*)/g)) into.add(m[1]);
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else {
        referencedIds(v, into);
      }
    }
  }
  return into;
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/**
 * Every resource of `before` that deploying `after` over it would replace
 * (or delete), of any type.
 */
function replacements(before: Template, after: Template): Replacement[] {
  const replaced = new Map<string, Replacement>();
  const add = (id: string, reason: string): void => {
    const r = before.Resources[id];
    replaced.set(id, { logicalId: id, type: r.Type, path: String(r.Metadata?.['aws:cdk:path'] ?? id), reason });
  };
  for (const [id, r] of Object.entries(before.Resources)) {
    const next = after.Resources[id];
    if (!next) {
      add(id, 'its logical id is gone (construct removed, renamed or moved)');
    } else if (next.Type !== r.Type) {
      add(id, `its type changes to ${next.Type}`);
    } else {
      const changed = createOnly(r.Type).find((p) => JSON.stringify(at(r, p)) !== JSON.stringify(at(next, p)));
      if (changed) add(id, `${changed} (create-only) changes from ${show(at(r, changed))} to ${show(at(next, changed))}`);
    }
  }
  // A create-only property that references a replaced resource changes at deploy time.
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, next] of Object.entries(after.Resources)) {
      if (replaced.has(id) || !before.Resources[id]) continue;
      for (const p of createOnly(next.Type)) {
        const hit = [...referencedIds(at(next, p))].find((ref) => replaced.has(ref));
        if (hit) {
          add(id, `${p} (create-only) references ${hit}, which is replaced`);
          grew = true;
          break;
        }
      }
    }
  }
  return [...replaced.values()];
}

/** Replacements of guarded resources, except those under the given construct paths (removed on purpose). */
function guardedReplacements(before: Template, after: Template, removedOnPurpose: string[] = []): Replacement[] {
  return replacements(before, after)
    .filter((r) => GUARDED.has(r.type))
    .filter((r) => !(removedOnPurpose.some((p) => r.path.startsWith(`${p}/`)) && !after.Resources[r.logicalId]));
}

function synth(variant?: ReferenceVariant, edit?: (stack: ReferenceStack) => void): Template {
  // Path metadata (`aws:cdk:path`) names each resource's construct in the findings.
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new ReferenceStack(app, 'Ref', { variant });
  edit?.(stack);
  return app.synth().getStackByName(stack.stackName).template as Template;
}

function ofType(t: Template, type: string): string[] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type).map(([id]) => id).sort();
}

let base: Template;

beforeAll(() => {
  cfnLint = ensureCfnLint();
  base = synth();
}, 300_000);

describe('the checker, on CloudFormation\'s schemas', () => {
  test('reads create-only properties from the resource schemas', () => {
    expect(createOnly('AWS::Cognito::UserPoolClient')).toEqual(expect.arrayContaining(['/properties/UserPoolId', '/properties/GenerateSecret']));
    expect(createOnly('AWS::Cognito::UserPoolResourceServer')).toEqual(expect.arrayContaining(['/properties/Identifier']));
    expect(createOnly('AWS::SecretsManager::Secret')).toEqual(expect.arrayContaining(['/properties/Name']));
    expect(createOnly('AWS::DynamoDB::Table')).toEqual(expect.arrayContaining(['/properties/TableName']));
  });

  test('guards every such resource the reference app has', () => {
    const types = new Set(Object.values(base.Resources).map((r) => r.Type));
    for (const t of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolResourceServer', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      expect(types).toContain(t);
    }
    expect(guardedReplacements(base, base)).toEqual([]);
  });

  test('propagates: a create-only property that references a replaced resource replaces its resource too', () => {
    const before: Template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'a' } },
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: { 'Fn::Sub': '${Table}-secret' } } },
        Other: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'other' } },
      },
    };
    const after: Template = { Resources: { ...before.Resources, Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'b' } } } };
    expect(replacements(before, after).map((r) => [r.logicalId, r.reason])).toEqual([
      ['Table', '/properties/TableName (create-only) changes from "a" to "b"'],
      ['Secret', '/properties/Name (create-only) references Table, which is replaced'],
    ]);
  });
});

describe('control: deliberately replacing changes are reported', () => {
  test('renaming the M2M user pool (a new logical id) replaces it, and every client, resource server and domain of it', () => {
    const renamed = synth(undefined, (s) => (s.pool.userPool.node.defaultChild as CfnResource).overrideLogicalId('RenamedPool'));
    const found = guardedReplacements(base, renamed);
    const pool = found.find((r) => r.path === 'Ref/Pool/Resource/Resource');
    expect(pool?.reason).toMatch(/logical id is gone/);
    // Each tenant's client (and the platform operator's) has UserPoolId { Ref: <pool> }.
    const clients = found.filter((r) => r.type === 'AWS::Cognito::UserPoolClient').map((r) => r.path);
    expect(clients.sort()).toEqual(['globex', 'initech', 'platform-ops', 'umbrella'].map((t) => `Ref/Pool/Tenant-${t}/Resource/Resource`));
    expect(found.filter((r) => r.type === 'AWS::Cognito::UserPoolResourceServer')).toHaveLength(3);
    expect(found.filter((r) => r.type === 'AWS::Cognito::UserPoolDomain').map((r) => r.path)).toEqual(['Ref/Pool/Resource/Domain/Resource']);
    // The portal's sign-in pool and its web client are not the M2M pool's: untouched.
    expect(found.filter((r) => r.path.startsWith('Ref/Portal/SignIn/'))).toEqual([]);
  });

  test('changing a resource server\'s identifier (create-only) replaces it', () => {
    const changed = synth(undefined, (s) => {
      const server = s.node.findAll().find((c) => c instanceof CfnResource && c.cfnResourceType === 'AWS::Cognito::UserPoolResourceServer'
        && (c as CfnResource).node.path === 'Ref/Pool/Orders/Resource') as CfnResource;
      server.addPropertyOverride('Identifier', 'https://api.acme.example/orders-v2');
    });
    expect(guardedReplacements(base, changed).map((r) => [r.path, r.reason])).toEqual(expect.arrayContaining([
      ['Ref/Pool/Orders/Resource', '/properties/Identifier (create-only) changes from "https://api.acme.example/orders" to "https://api.acme.example/orders-v2"'],
    ]));
  });
});

describe('everyday changes replace nothing that holds data or identities', () => {
  const HOOLI = { tenantId: 'hooli', scopes: ['orders:read', 'invoices:read'], accessTokenValidity: Duration.minutes(30) };

  test('a tenant added', () => {
    const after = synth({ tenants: [...REFERENCE_TENANTS, HOOLI] });
    expect(ofType(after, 'AWS::Cognito::UserPoolClient').length).toBe(ofType(base, 'AWS::Cognito::UserPoolClient').length + 1);
    expect(guardedReplacements(base, after)).toEqual([]);
  });

  test('a tenant removed: only its own client and secret go', () => {
    const after = synth({ tenants: REFERENCE_TENANTS.filter((t) => t.tenantId !== 'umbrella') });
    const gone = replacements(base, after).filter((r) => GUARDED.has(r.type));
    expect(gone.map((r) => [r.type, r.path]).sort()).toEqual([
      ['AWS::Cognito::UserPoolClient', 'Ref/Pool/Tenant-umbrella/Resource/Resource'],
      ['AWS::SecretsManager::Secret', 'Ref/Pool/Tenant-umbrella/Secret/Resource'],
    ]);
    expect(guardedReplacements(base, after, ['Ref/Pool/Tenant-umbrella'])).toEqual([]);
  });

  test('tenants reordered', () => {
    const after = synth({ tenants: [...REFERENCE_TENANTS].reverse() });
    expect(guardedReplacements(base, after)).toEqual([]);
  });

  test('a scope added to a resource server', () => {
    const after = synth({ extraScopes: { orders: [{ name: 'cancel', description: 'Cancel orders' }] } });
    const orders = (t: Template) => Object.values(t.Resources).find((r) => r.Metadata?.['aws:cdk:path'] === 'Ref/Pool/Orders/Resource')!;
    expect((orders(after).Properties!.Scopes as unknown[]).length).toBe((orders(base).Properties!.Scopes as unknown[]).length + 1);
    expect(guardedReplacements(base, after)).toEqual([]);
  });

  test('a method added', () => {
    const after = synth({ extraMethods: [{ path: 'orders/{orderId}', httpMethod: 'DELETE', scope: 'orders:write' }] });
    expect(ofType(after, 'AWS::ApiGateway::Method').length).toBe(ofType(base, 'AWS::ApiGateway::Method').length + 1);
    expect(guardedReplacements(base, after)).toEqual([]);
  });

  test('portal settings changed', () => {
    const after = synth({ portalRotationGracePeriod: Duration.days(3), portalDefaultAccessTokenValidity: Duration.minutes(20) });
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(base));
    expect(guardedReplacements(base, after)).toEqual([]);
  });

  test('all of them at once', () => {
    const after = synth({
      tenants: [HOOLI, ...REFERENCE_TENANTS.filter((t) => t.tenantId !== 'umbrella')].reverse(),
      extraScopes: { orders: [{ name: 'cancel', description: 'Cancel orders' }], invoices: [{ name: 'void', description: 'Void invoices' }] },
      extraMethods: [{ path: 'orders/{orderId}', httpMethod: 'DELETE', scope: 'orders:cancel' }],
      portalRotationGracePeriod: Duration.days(3),
    });
    expect(guardedReplacements(base, after, ['Ref/Pool/Tenant-umbrella'])).toEqual([]);
  });
});
