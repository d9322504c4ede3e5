export { M2mAuthorizer, AutomaticAuthorizerOptions } from './m2m-authorizer';
export { JwtAuthorizerOptions } from './jwt-authorizer';
export { CognitoAuthorizerOptions } from './cognito-authorizer';
export { TenantAwareAuthorizerOptions, LambdaAuthorizerOptions } from './tenant-aware-options';
export { TenantAwareAuthorizer } from './tenant-aware-authorizer';
export { DenyReason } from './deny-reason';
