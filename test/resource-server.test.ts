import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ResourceServer } from '../lib';
import { poolStack } from './fixtures';

describe('ResourceServer', () => {
  test('declares identifier, a valid name and its scopes', () => {
    const { stack } = poolStack();
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'https://api.acme.example/orders',
      Name: 'Orders',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Read orders' },
        { ScopeName: 'write', ScopeDescription: 'Write orders' },
      ],
      UserPoolId: { Ref: 'Pool9439FBB3' },
    });
  });

  test('scope(name) returns an OAuthScope that refers to the server', () => {
    const { stack, orders } = poolStack();
    const read = orders.scope('read');
    expect(read).toBeInstanceOf(cognito.OAuthScope);
    expect(stack.resolve(read.scopeName)).toEqual({ 'Fn::Join': ['', [{ Ref: 'PoolOrders9D00F75A' }, '/read']] });
    expect(orders.scopeFullName('write')).toBe('https://api.acme.example/orders/write');
    expect(orders.scopes).toHaveLength(2);
    expect(orders.scope('read')).toBe(read);
  });

  test('scope(name) of an unknown name lists the known ones', () => {
    const { orders } = poolStack();
    expect(() => orders.scope('delete')).toThrow(
      /\[Test\/Pool\/Orders\] scope\(name\): "delete" is invalid: resource server "https:\/\/api.acme.example\/orders" defines no such scope; known scopes: "read", "write"/,
    );
  });

  test('a name can be given and a server declared directly', () => {
    const { stack, pool } = poolStack();
    new ResourceServer(stack, 'Invoices', {
      userPool: pool,
      identifier: 'invoices',
      name: 'Invoice API',
      scopes: [{ name: 'read', description: 'Read invoices' }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolResourceServer', { Identifier: 'invoices', Name: 'Invoice API' });
  });
});
