import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApiWebAcl, DeveloperPortal, M2mAuthorizer, M2mMonitoring, M2mUserPool, ScopedRestApi, TenantClaim } from '../lib';
import { acknowledgeControlTowerRules, BackendFunction, customerManagedKey } from './app-compliance';
import { parseScopeRef, REFERENCE_TENANTS, ReferenceVariant } from './reference-variant';

export interface ReferenceStackProps extends StackProps {
  /**
   * Changes to the reference deployment, for tests that compare two versions of it.
   * @default - none
   */
  readonly variant?: ReferenceVariant;
}

/**
 * The reference deployment, after the source articles: an "orders" and an
 * "invoices" resource server, three tenants with different scopes, one REST
 * API whose GET/POST methods are gated by different scopes plus a public
 * health check, and the developer portal with a platform-operator client.
 */
export class ReferenceStack extends Stack {
  public readonly pool: M2mUserPool;
  public readonly api: ScopedRestApi;
  public readonly portal: DeveloperPortal;

  constructor(scope: Construct, id: string, props: ReferenceStackProps = {}) {
    super(scope, id, props);
    const variant = props.variant ?? {};
    // AWS Control Tower rules this app accepts, each with its reason (bin/app-compliance.ts).
    acknowledgeControlTowerRules(this, [
      'lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check',
      'cloudfront_custom_ssl_certificate_check', 'cloudfront_sni_enabled_check', 'cloudfront_security_policy_check', 'cloudfront_origin_failover_enabled_check',
      's3_bucket_acl_prohibited_check', 's3_bucket_logging_enabled_check', 's3_bucket_object_lock_enabled_check',
    ]);

    this.pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-reference' });

    const orders = this.pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [
        { name: 'read', description: 'Read orders' },
        { name: 'write', description: 'Create and change orders' },
        ...variant.extraScopes?.orders ?? [],
      ],
    });
    const invoices = this.pool.addResourceServer('Invoices', {
      identifier: 'https://api.acme.example/invoices',
      scopes: [
        { name: 'read', description: 'Read invoices' },
        { name: 'write', description: 'Issue invoices' },
        ...variant.extraScopes?.invoices ?? [],
      ],
    });

    // One app client per tenant (REFERENCE_TENANTS), each with the least scopes it needs.
    const servers = { orders, invoices };
    const scopeOf = (ref: string) => {
      const { server, scope: name } = parseScopeRef(ref);
      return servers[server].scope(name);
    };
    for (const tenant of variant.tenants ?? REFERENCE_TENANTS) {
      this.pool.addTenant(tenant.tenantId, {
        scopes: tenant.scopes.map(scopeOf),
        accessTokenValidity: tenant.accessTokenValidity,
        rotationSchedule: tenant.rotationSchedule,
      });
    }

    // The developer portal registers, rotates, suspends and revokes API clients
    // at run time; a platform-operator client holds its admin scope. People
    // (platform admins, tenants' admins) use its web UI: they sign in to their
    // own user pool with TOTP MFA and see the catalog of the business API.
    // A regional web ACL for both APIs: AWS managed rules, a rate limit per IP, logged requests.
    const webAcl = new ApiWebAcl(this, 'WebAcl');
    this.portal = new DeveloperPortal(this, 'Portal', {
      userPool: this.pool,
      grantableScopes: [...orders.scopes, ...invoices.scopes],
      webAclArn: webAcl.webAclArn,
      rotationGracePeriod: variant.portalRotationGracePeriod,
      defaultAccessTokenValidity: variant.portalDefaultAccessTokenValidity,
      webUi: {
        signInDomainPrefix: 'acme-portal-reference',
        platformAdmins: [{ username: 'platform-admin', email: 'platform-admin@acme.example' }],
      },
    });
    this.pool.addTenant('platform-ops', { scopes: [this.portal.adminScope], accessTokenValidity: Duration.minutes(15) });

    // The business API trusts the declared tenants and the portal's registry,
    // and denies suspended tenants and clients. Every method runs on the
    // tenant-aware authorizer: trusting clients registered at run time and
    // suspending them needs its registry, which API Gateway's JWT authorizer
    // cannot consult (M2mAuthorizer.automatic() would choose it for each method,
    // and api.routes says so: authorizer 'lambda', with that reason).
    this.api = new ScopedRestApi(this, 'Api', {
      userPool: this.pool,
      description: 'Orders and invoices API for tenant backends (OAuth 2.0 client credentials)',
      authorizer: M2mAuthorizer.tenantAware({ registry: this.portal.registry }),
      webAclArn: webAcl.webAclArn,
    });
    this.portal.addCatalogApi(this.api, 'orders-invoices');
    const backend = new apigateway.LambdaIntegration(echoBackend(this));

    const ordersRes = this.api.root.addResource('orders');
    this.api.addScopedMethod(ordersRes, 'GET', backend, { scopes: [orders.scope('read')] });
    this.api.addScopedMethod(ordersRes, 'POST', backend, { scopes: [orders.scope('write')] });
    const order = ordersRes.addResource('{orderId}');
    this.api.addScopedMethod(order, 'GET', backend, { scopes: [orders.scope('read')] });

    const invoicesRes = this.api.root.addResource('invoices');
    this.api.addScopedMethod(invoicesRes, 'GET', backend, { scopes: [invoices.scope('read')] });
    this.api.addScopedMethod(invoicesRes, 'POST', backend, { scopes: [invoices.scope('write')] });
    for (const m of variant.extraMethods ?? []) {
      this.api.addScopedMethod(this.api.root.resourceForPath(m.path), m.httpMethod, backend, { scopes: [scopeOf(m.scope)] });
    }

    this.api.addPublicMethod(this.api.root.addResource('health'), 'GET', new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"status":"ok"}' } }],
    }), {
      reason: 'Health check for load balancers and uptime monitors; it returns a constant and reaches no backend or data.',
      methodResponses: [{ statusCode: '200' }],
    });

    // Access tokens carry the caller's tenant (tenant_id), from the same trusted
    // sources as the authorizer, which denies a token whose claim disagrees.
    new TenantClaim(this, 'TenantClaim', { userPool: this.pool, registry: this.portal.registry });

    // A dashboard, alarms and Logs Insights queries for the business API's
    // authorizer; alarms notify an encrypted topic the operators subscribe to.
    new M2mMonitoring(this, 'Monitoring', { api: this.api, alarmTopic: alarmTopic(this) });
  }
}

/** The operators' alarm topic: KMS-encrypted, TLS only, CloudWatch alarms of this account may publish. */
function alarmTopic(scope: Construct): sns.Topic {
  const key = customerManagedKey(scope, 'AlarmsKey', 'the operators\' alarm notifications');
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  }));
  return new sns.Topic(scope, 'Alarms', { masterKey: key, enforceSSL: true, displayName: 'M2M API alarms' });
}

/**
 * A backend that answers with what the authorizer told it about the caller,
 * so a deployed reference app shows the tenant context end to end.
 */
function echoBackend(scope: Construct): lambda.IFunction {
  return new BackendFunction(scope, 'Backend', {
    description: 'Reference app backend echoing the caller\'s tenant, client and scopes',
    inlineCode: [
      'exports.handler = async (event) => {',
      '  const a = (event.requestContext && event.requestContext.authorizer) || {};',
      '  const claims = a.claims || {};',
      '  const body = {',
      '    route: event.httpMethod + " " + event.resource,',
      '    tenantId: a.tenantId || null,',
      '    clientId: a.clientId || claims.client_id || null,',
      '    scopes: String(a.scopes || claims.scope || "").split(" ").filter(Boolean),',
      '  };',
      '  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };',
      '};',
    ].join('\n'),
  }).function;
}
