/**
 * The portal's pool metrics in Embedded Metric Format (contract:
 * lib/private/contracts/portal.ts): the number of app clients in the user
 * pool, and the headroom to its quota, so an alarm can fire well before
 * registrations and deployments that add clients start to fail.
 * No SDK call to CloudWatch: Logs extracts the metrics from the line.
 */
import { OpContext } from './context';
import {
  APP_CLIENT_QUOTA, POOL_CLIENTS_METRIC, POOL_DIMENSION, POOL_HEADROOM_METRIC, PORTAL_METRICS_NAMESPACE,
} from '../../lib/private/contracts/portal';
import type { EmfMembers } from '../shared/log';

/** The EMF members of one pool count: `PoolAppClients` and `PoolAppClientHeadroom`, dimension `userPoolId`. */
export function poolClientMetrics(userPoolId: string, count: number, quota: number, timestamp: number): EmfMembers {
  return {
    [POOL_DIMENSION]: userPoolId,
    [POOL_CLIENTS_METRIC]: count,
    [POOL_HEADROOM_METRIC]: quota - count,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: PORTAL_METRICS_NAMESPACE,
        Dimensions: [[POOL_DIMENSION]],
        Metrics: [{ Name: POOL_CLIENTS_METRIC, Unit: 'Count' }, { Name: POOL_HEADROOM_METRIC, Unit: 'Count' }],
      }],
    },
  };
}

/** Counts the pool's app clients (every client, not only the portal's) and writes the metrics; returns the count. */
export async function publishPoolClients(ctx: OpContext): Promise<number> {
  const count = await ctx.apps.countClients();
  const quota = ctx.config.appClientQuota ?? APP_CLIENT_QUOTA.default;
  ctx.log.info('pool app clients counted', { count, emf: poolClientMetrics(ctx.config.userPoolId, count, quota, ctx.now().getTime()) });
  return count;
}
