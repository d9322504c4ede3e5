/** The portal site's Content-Security-Policy. */
import { Stack } from 'aws-cdk-lib';
import { contentSecurityPolicy, executeApiOrigin } from '../../lib/private/site-policy';

test('scripts and styles from the site only, no inline code, no framing, connections only to the origins given', () => {
  const csp = contentSecurityPolicy(['https://api.example', 'https://login.example']);
  const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  expect(directives).toEqual({
    'default-src': '\'none\'',
    'script-src': '\'self\'',
    'style-src': '\'self\'',
    'img-src': '\'self\' data:',
    'font-src': '\'self\'',
    'connect-src': '\'self\' https://api.example https://login.example',
    'form-action': '\'none\'',
    'frame-ancestors': '\'none\'',
    'base-uri': '\'none\'',
    'object-src': '\'none\'',
    'manifest-src': '\'self\'',
    'upgrade-insecure-requests': '',
  });
});

test('the execute-api origin refers to the REST API only (no stage, so no dependency cycle with the distribution)', () => {
  const stack = new Stack();
  expect(stack.resolve(executeApiOrigin(stack, 'abc123'))).toEqual({
    'Fn::Join': ['', ['https://abc123.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
  });
});
