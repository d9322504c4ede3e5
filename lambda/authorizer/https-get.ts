/**
 * The authorizer's one outbound call: GET the JWKS over HTTPS, once, within a
 * deadline counted from the start (connect, response and body together), for
 * a 200 response of bounded size. Any failure is aws-jwt-verify's
 * `FetchError` (the URI and a short cause; never a body).
 *
 * aws-jwt-verify's own fetch retries once and bounds the response time only,
 * so a slow endpoint could hold a request for twice its timeout, and it
 * buffers any body. In the bundle, `https` is the lazy shim
 * (lambda/shared/lazy-https.ts): the module loads on the first fetch, not at
 * cold start.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'http';
import { request } from 'https';
import { FetchError } from 'aws-jwt-verify/error';

/** `https.request`'s (url, options, callback) form; tests pass a loopback `http.request`. */
export type Transport = (url: string, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

/** A JWKS is a few KB (Cognito's: about 1 KB); anything much larger is not one. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The body of a 200 response to `GET uri`, or a `FetchError` once `timeoutMs` have passed. */
export function httpsGet(uri: string, timeoutMs: number, transport: Transport = request): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    const done = (cause?: string, body?: Buffer): void => {
      clearTimeout(timer);
      if (cause === undefined && body) {
        resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
      } else {
        req?.destroy();
        reject(new FetchError(uri, cause ?? 'failed'));
      }
    };
    const timer = setTimeout(() => done(`no complete response within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
    try {
      req = transport(uri, { method: 'GET' }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return done(`status ${res.statusCode}, expected 200`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) done(`body larger than ${MAX_BODY_BYTES} bytes`);
          else chunks.push(chunk);
        });
        res.on('end', () => done(undefined, Buffer.concat(chunks)));
        res.on('error', (err) => done(err.message));
      });
      req.on('error', (err) => done(err.message));
      req.end();
    } catch (err) {
      done((err as Error).message);
    }
  });
}
