export { ScopeMatch } from './scope-match';
export { MethodAuthorizer, ScopedRestApiMethodOptions, ScopedMethodOptions, PublicMethodOptions, ScopedRoute } from './method-options';
export { ScopedCorsOptions } from './cors';
export { ScopedRestApiProps } from './props';
export { ScopedRestApi } from './scoped-rest-api';
export { TenantIsolatedIntegrationOptions } from './tenant-isolation';
export { ScopedRestApiPart, ScopedRestApiPartOptions, ScopedRestApiPartProps } from './part';
