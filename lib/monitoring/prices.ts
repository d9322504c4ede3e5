import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../private/validation';

/**
 * The prices `M2mMonitoring`'s cost panels multiply usage by, in US dollars.
 * Each default is the first (most expensive) tier in US East (N. Virginia),
 * read from AWS's pricing pages on 2026-12-05: set your Region's prices,
 * and your tier once your volume passes the first one. The panels estimate;
 * the bill is what AWS charges.
 */
export interface M2mPrices {
  /**
   * The price of 1,000 machine-to-machine token requests (the token
   * endpoint's `client_credentials` grant and `GetClientToken`).
   *
   * @default 2.25 - first tier, https://aws.amazon.com/cognito/pricing/ (read 2026-12-05)
   */
  readonly tokenRequestsPerThousand?: number;

  /**
   * The price of one active machine-to-machine app client for a month.
   * Cognito's pricing announced in May 2024 charged $6 per app client per
   * month (first 100 clients); the current "Monitoring and managing costs"
   * page of the Cognito developer guide lists only the request volume of
   * machine-to-machine authorization among the charges, so the default is 0.
   * Set the price your bill shows if it has an app-client line.
   *
   * @default 0 - https://docs.aws.amazon.com/cognito/latest/developerguide/tracking-cost.html and https://aws.amazon.com/cognito/pricing/ (read 2026-12-05)
   */
  readonly appClientPerMonth?: number;

  /**
   * The price of one million Lambda requests (the authorizer's invocations).
   *
   * @default 0.20 - https://aws.amazon.com/lambda/pricing/ (read 2026-12-05)
   */
  readonly lambdaRequestsPerMillion?: number;

  /**
   * The price of one GB-second of Lambda compute on Arm (arm64), the
   * authorizer's architecture: multiplied by its memory and duration.
   *
   * @default 0.0000133334 - first tier (7.5 billion GB-seconds a month), https://aws.amazon.com/lambda/pricing/ (read 2026-12-05)
   */
  readonly lambdaArmGbSecond?: number;

  /**
   * The price of one million REST API requests.
   *
   * @default 3.50 - first tier (333 million requests a month), https://aws.amazon.com/api-gateway/pricing/ (read 2026-12-05)
   */
  readonly restApiRequestsPerMillion?: number;
}

/** Every price, resolved. */
export type ResolvedPrices = { readonly [K in keyof M2mPrices]-?: number };

/** The defaults of `M2mPrices`, with their sources (read 2026-12-05). */
export const DEFAULT_PRICES: ResolvedPrices = {
  tokenRequestsPerThousand: 2.25,
  appClientPerMonth: 0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  restApiRequestsPerMillion: 3.5,
};

/** The prices with defaults; each must be a number of dollars, 0 or more. */
export function resolvePrices(scope: IConstruct, prices: M2mPrices = {}): ResolvedPrices {
  const resolved = { ...DEFAULT_PRICES };
  for (const name of Object.keys(DEFAULT_PRICES) as (keyof M2mPrices)[]) {
    const value = prices[name];
    if (value === undefined) continue;
    if (Token.isUnresolved(value)) {
      throw propError(scope, `prices.${name}`, value, 'must be a number known at synthesis: it is written into the dashboard\'s metric math');
    }
    if (!Number.isFinite(value) || value < 0) throw propError(scope, `prices.${name}`, value, 'must be a price in US dollars, 0 or more');
    resolved[name] = value;
  }
  return resolved;
}

/** Seconds in the month a monthly price is spread over: 730 hours, the month of the AWS Pricing Calculator. */
export const SECONDS_PER_MONTH = 730 * 3600;
