export * from './m2m-user-pool';
export * from './resource-server';
export * from './tenant-app-client';
export * from './m2m-authorizer';
export * from './scoped-rest-api';
export * from './tenant-registry';
export * from './developer-portal';
