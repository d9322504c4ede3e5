import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { propError } from '../private/validation';

/**
 * A CORS preflight that lets a web page at one origin call a resource.
 */
export interface ScopedCorsOptions {
  /**
   * The one origin allowed, e.g. `https://portal.acme.example` (scheme and
   * host, no path). Never `*`: the API takes bearer tokens.
   */
  readonly allowOrigin: string;

  /**
   * The methods the page may call on the resource, e.g. `['GET', 'POST']`.
   */
  readonly allowMethods: string[];

  /**
   * The request headers the page may send.
   *
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: string[];

  /**
   * How long the browser may reuse the preflight's answer.
   *
   * @default Duration.hours(1)
   */
  readonly maxAge?: Duration;
}

/**
 * RFC 6750 answers for API Gateway's own 401 and 403: a `WWW-Authenticate`
 * header (`Bearer`, and `error="insufficient_scope"` on 403) and the error
 * message as JSON.
 */
export function addBearerErrorAnswers(api: apigateway.RestApi): apigateway.GatewayResponse[] {
  return [
    api.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': '\'Bearer\'' },
      templates: { 'application/json': '{"message":$context.error.messageString}' },
    }),
    api.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      responseHeaders: { 'WWW-Authenticate': '\'Bearer error="insufficient_scope"\'' },
      templates: { 'application/json': '{"message":$context.error.messageString}' },
    }),
  ];
}

/** Ids of the error answers the first preflight adds to the API. */
export const CORS_ERROR_ANSWER_IDS = ['Default4xx', 'Default5xx'];

/**
 * The one origin an API lets a web page call it from: checked for every
 * preflight, and carried by API Gateway's own error answers (the bearer
 * answers and every other 4XX and 5XX) once the first preflight is added.
 */
export class ApiCorsOrigin {
  private origin?: string;

  constructor(private readonly api: apigateway.RestApi, private readonly bearerAnswers: readonly apigateway.GatewayResponse[]) {}

  /** The CORS options of a preflight at `label` (`GET /path`), checked. */
  public preflightOptions(label: string, options: ScopedCorsOptions): apigateway.CorsOptions {
    const origin = options.allowOrigin;
    if (!Token.isUnresolved(origin) && !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw propError(this.api, `${label}: allowOrigin`, origin, 'one origin: scheme and host (and port), no path and no wildcard, e.g. https://portal.acme.example');
    }
    if (this.origin !== undefined && this.origin !== origin) {
      throw propError(this.api, `${label}: allowOrigin`, origin, `this API already allows ${this.origin}; API Gateway's error answers carry one origin`);
    }
    if (!options.allowMethods || options.allowMethods.length === 0) {
      throw propError(this.api, `${label}: allowMethods`, '[]', 'list the methods the page calls on this resource');
    }
    return {
      allowOrigins: [origin],
      allowMethods: options.allowMethods,
      allowHeaders: options.allowHeaders ?? ['Authorization', 'Content-Type'],
      maxAge: options.maxAge ?? Duration.hours(1),
    };
  }

  /** Why a preflight is public, for reviewers. */
  public preflightReason(origin: string): string {
    return `CORS preflight for ${Token.isUnresolved(origin) ? 'the allowed origin' : origin}: API Gateway answers it itself (mock integration) with the one allowed origin, methods and headers; a preflight carries no credentials and reaches no backend.`;
  }

  /** Puts the origin on API Gateway's own error answers, once. */
  public allow(origin: string): void {
    if (this.origin !== undefined) return;
    this.origin = origin;
    const header = `'${origin}'`;
    for (const response of this.bearerAnswers) {
      const cfn = response.node.defaultChild as apigateway.CfnGatewayResponse;
      cfn.responseParameters = { ...(cfn.responseParameters as Record<string, string>), 'gatewayresponse.header.Access-Control-Allow-Origin': header };
    }
    const [four, five] = CORS_ERROR_ANSWER_IDS;
    this.api.addGatewayResponse(four, { type: apigateway.ResponseType.DEFAULT_4XX, responseHeaders: { 'Access-Control-Allow-Origin': header } });
    this.api.addGatewayResponse(five, { type: apigateway.ResponseType.DEFAULT_5XX, responseHeaders: { 'Access-Control-Allow-Origin': header } });
  }
}
