import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The site's Content-Security-Policy. */
export function contentSecurityPolicy(connectOrigins: string[]): string {
  return [
    'default-src \'none\'',
    'script-src \'self\'',
    'style-src \'self\'',
    'img-src \'self\' data:',
    'font-src \'self\'',
    `connect-src 'self' ${connectOrigins.join(' ')}`,
    'form-action \'none\'',
    'frame-ancestors \'none\'',
    'base-uri \'none\'',
    'object-src \'none\'',
    'manifest-src \'self\'',
    'upgrade-insecure-requests',
  ].join('; ');
}

/** The origin of a REST API's execute-api endpoint (no stage: it refers to the RestApi only). */
export function executeApiOrigin(scope: IConstruct, restApiId: string): string {
  const stack = Stack.of(scope);
  return `https://${restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
}
