/**
 * CloudWatch metrics of the authorizer's decisions in Embedded Metric Format
 * (contract: lib/private/contracts/authorizer-metrics.ts). No SDK call: CloudWatch Logs
 * extracts them from the log lines Lambda sends it. A denial's metric goes on
 * the line the handler writes for the denial anyway; allowed decisions, which
 * write no line, are counted in memory and written as one line at most every
 * 10 seconds per execution environment (the count of an environment's last
 * 10 seconds is lost if Lambda retires it before another request).
 *
 * The lines go straight to stdout: the runtime's JSON log format leaves them
 * as they are, as EMF needs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html#nodejs-logging-advanced-emf
 */
import type { DenyReason } from './errors';
import {
  ALLOWED_FLUSH_MS, ALLOWED_METRIC, DENIED_METRIC, DenyReasonName, FUNCTION_DIMENSION, REASON_DIMENSION,
  UNTRUSTED_DIRECTORY_PARAMETERS_METRIC,
} from '../../lib/private/contracts/authorizer-metrics';
import type { ConfigError } from '../shared/config';
import { functionMetric as emf } from '../shared/function-metric';
import type { EmfMembers, Logger } from '../shared/log';

/** A compile error names any reason the handler gives that the metrics contract does not list. */
type Listed<T extends never> = T;
export type EveryDenyReasonListed = Listed<Exclude<DenyReason | ConfigError['reason'], DenyReasonName>>;

export interface DecisionMetrics {
  /** EMF members of a denial's log line, whose `reason` field is the reason dimension. */
  denied(): EmfMembers;
  /** Counts an allowed decision; writes the count once ALLOWED_FLUSH_MS have passed since the last write. */
  allowed(): void;
}

/**
 * Metrics with the function's name as dimension, written through `logger`;
 * none without a name: outside Lambda (tests, benchmarks) nothing reads them.
 *
 * @param functionName the function's name (in Lambda, AWS_LAMBDA_FUNCTION_NAME)
 */
export function decisionMetrics(functionName: string | undefined, logger: Logger, now: () => number = Date.now): DecisionMetrics | undefined {
  if (!functionName) return undefined;
  const members = (metric: string, value: number, dimensions: string[][]): EmfMembers => emf(functionName, metric, value, dimensions, now());
  let count = 0;
  let written = -ALLOWED_FLUSH_MS;
  return {
    denied: () => members(DENIED_METRIC, 1, [[FUNCTION_DIMENSION], [FUNCTION_DIMENSION, REASON_DIMENSION]]),
    allowed: () => {
      count++;
      const t = now();
      if (t - written < ALLOWED_FLUSH_MS) return;
      logger.info('allowed', { emf: members(ALLOWED_METRIC, count, [[FUNCTION_DIMENSION]]) });
      count = 0;
      written = t;
    },
  };
}

/**
 * What a function (the authorizer, the tenant-claim trigger) does with the
 * parameters under its client directory's path that the library did not
 * create (lambda/authorizer/directory.ts ignores them): a warning naming each
 * once per execution environment (the name only, never the value), and, on
 * every load that finds any, their count as the `UntrustedDirectoryParameters`
 * metric (none outside Lambda). The names remembered are bounded by the
 * parameters an account may hold under the path.
 */
export function untrustedParameterReporter(
  functionName: string | undefined,
  logger: Logger,
  now: () => number = Date.now,
): (names: readonly string[]) => void {
  const logged = new Set<string>();
  return (names) => {
    for (const name of names) {
      if (logged.has(name)) continue;
      logged.add(name);
      logger.warn('untrusted directory parameter ignored', { parameterName: name });
    }
    if (names.length === 0 || !functionName) return;
    logger.warn('untrusted directory parameters', {
      count: names.length,
      emf: emf(functionName, UNTRUSTED_DIRECTORY_PARAMETERS_METRIC, names.length, [[FUNCTION_DIMENSION]], now()),
    });
  };
}
