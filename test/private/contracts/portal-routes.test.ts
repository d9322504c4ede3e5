/** The portal's route table: the one source of its API's methods, who may call them and its CORS preflights. */
import { methodsByPath, PORTAL_ROUTES } from '../../../lib/private/contracts/portal-routes';

test('every route is unique by method and path, and every name is used once', () => {
  expect(new Set(PORTAL_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(PORTAL_ROUTES.length);
  expect(new Set(PORTAL_ROUTES.map((r) => r.name)).size).toBe(PORTAL_ROUTES.length);
});

test('tenant lifecycle, invitations, usage tiers and token budgets are for platform admins only', () => {
  const adminOnly = PORTAL_ROUTES.filter((r) => r.access === 'admin').map((r) => r.name).sort();
  expect(adminOnly).toEqual([
    'createTenant', 'deleteTenant', 'inviteAdmin', 'liftClientBudgetSuspension', 'liftTenantBudgetSuspension', 'patchTenant', 'removeAdmin',
    'setTokenBudget', 'setUsageTier',
  ]);
});

test('methodsByPath groups the methods of each resource, in table order', () => {
  const byPath = methodsByPath();
  expect(byPath.get('/tenants')).toEqual(['GET', 'POST']);
  expect(byPath.get('/tenants/{tenantId}')).toEqual(['GET', 'PATCH', 'DELETE']);
  expect(byPath.get('/me')).toEqual(['GET']);
  expect([...byPath.values()].flat()).toHaveLength(PORTAL_ROUTES.length);
});
