import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { M2mUserPool, ResourceServer } from '../lib';

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
