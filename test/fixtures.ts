import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { DeveloperPortal, M2mUserPool, ResourceServer, ScopedRestApi } from '../lib';

/** A stack with a pool holding an "orders" resource server (read, write). */
export function poolStack(id = 'Test', context: Record<string, unknown> = {}): { app: App; stack: Stack; pool: M2mUserPool; orders: ResourceServer } {
  const app = new App({ context });
  const stack = new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
  const pool = new M2mUserPool(stack, 'Pool', { domainPrefix: 'acme-test' });
  const orders = pool.addResourceServer('Orders', {
    identifier: 'https://api.acme.example/orders',
    scopes: [{ name: 'read', description: 'Read orders' }, { name: 'write', description: 'Write orders' }],
  });
  return { app, stack, pool, orders };
}

/** An integration that needs no other resource. */
export function mockIntegration(): apigateway.Integration {
  return new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [{ statusCode: '200' }],
  });
}

/**
 * A stack with an "Orders" API and a developer portal with a web UI that
 * catalogues it; a method is added after the portal (the catalog is rendered
 * at synth time).
 */
export function webUiStack(options: { catalog?: boolean; domainName?: string } = {}) {
  const env = poolStack();
  const api = new ScopedRestApi(env.stack, 'Orders', { userPool: env.pool });
  const orders = api.root.addResource('orders');
  api.addScopedMethod(orders, 'GET', mockIntegration(), { scopes: [env.orders.scope('read')] });
  const portal = new DeveloperPortal(env.stack, 'Portal', {
    userPool: env.pool,
    grantableScopes: env.orders.scopes,
    webUi: {
      signInDomainPrefix: 'acme-portal',
      catalog: options.catalog === false ? undefined : [api],
      platformAdmins: [{ username: 'root', email: 'root@acme.example' }],
      domainName: options.domainName,
      certificate: options.domainName
        ? acm.Certificate.fromCertificateArn(env.stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc')
        : undefined,
    },
  });
  // A method added after the portal still reaches the catalog (it is rendered at synth time).
  api.addScopedMethod(orders, 'POST', mockIntegration(), { scopes: [env.orders.scope('write')] });
  // Synthesized on first use of `t`, so that a test may still add to the app before.
  return { ...env, api, portal, get t() { return Template.fromStack(env.stack); } };
}
