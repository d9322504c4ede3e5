import * as path from 'path';
import { Aspects, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HandlerPlacementOptions } from './handler-placement';
import { IM2mUserPool, M2mUserPool } from './m2m-user-pool';
import { UNTRUSTED_DIRECTORY_PARAMETERS_METRIC } from './private/contracts/authorizer-metrics';
import { DIRECTORY_ENV, MAX_OUTAGE_BACKOFF_MS } from './private/contracts/client-directory';
import { REGISTRY_CACHE_TTL_SECONDS, REGISTRY_ENV } from './private/contracts/env';
import { claimNameProblem, TENANT_CLAIM, TENANT_CLAIM_ENV } from './private/contracts/tenant-claim';
import { functionMetric } from './private/function-metric';
import { checkedNetwork, handlerFunction, requestHandlerDefaults } from './private/handler-function';
import { handlerRuntime } from './private/node-runtime';
import { poolState } from './private/pool-state';
import { SecurityAlarms } from './private/security-alarms';
import { WireTrustedClients } from './private/trusted-clients';
import { checkDuration, propError } from './private/validation';
import type { ITenantRegistry } from './tenant-registry';

/**
 * Properties of a `TenantClaim`.
 */
export interface TenantClaimProps extends HandlerPlacementOptions {
  /**
   * The user pool whose client-credentials access tokens receive the claim.
   * It must be created by this app (`new M2mUserPool`), in the same stack as
   * the `TenantClaim`, on the Essentials or Plus feature plan (M2mUserPool's
   * default), with no other pre-token-generation trigger.
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
   */
  readonly userPool: IM2mUserPool;

  /**
   * A tenant registry (as the developer portal keeps) for clients the app
   * does not declare. A registry client gets the claim only while it and its
   * tenant are active; the trigger may read the registry's items (GetItem)
   * and nothing else of it.
   *
   * @default - only the pool's `TenantAppClient`s declared in this app get the claim
   */
  readonly registry?: ITenantRegistry;

  /**
   * How long the trigger reuses a registry answer. A suspension stops new
   * tokens within this time; tokens already issued stay valid until they
   * expire, which is why the tenant-aware authorizer checks the status
   * itself.
   *
   * @default Duration.seconds(30)
   */
  readonly registryCacheTtl?: Duration;

  /**
   * How long each execution environment of the trigger answers from memory
   * after a failed read of the client directory (SSM Parameter Store) or the
   * tenant registry (DynamoDB), instead of reading again on every token
   * request: during an outage it reads at most once per this time. Token
   * requests that need the data are refused meanwhile (as during the outage
   * itself); answers still fresh in memory keep serving.
   * `Duration.seconds(0)` reads again on every request.
   *
   * @default Duration.seconds(5)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
   */
  readonly outageBackoff?: Duration;

  /**
   * The name of the access-token claim that carries the tenant id. The
   * bundled tenant-aware authorizer cross-checks the claim under the default
   * name only.
   *
   * @default 'tenant_id'
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
   */
  readonly claimName?: string;

  /**
   * Whether a client without an active tenant (not declared, not in the
   * registry, or suspended there) is refused a token. Cognito then answers
   * the token request with an error and issues no token.
   *
   * @default false - such a client gets its token, without the claim
   */
  readonly denyUnknownClients?: boolean;

  /**
   * How long the trigger's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Where `npx projen bundle` puts the trigger (same depth from lib/ and out/). */
const TENANT_CLAIM_BUNDLE = path.join(__dirname, '..', 'assets', 'tenant-claim');

/**
 * Puts the calling app client's tenant into the client-credentials access
 * tokens of an `M2mUserPool`, as a `tenant_id` claim: a pre-token-generation
 * Lambda trigger (event version V3_0, which the Essentials plan allows for
 * machine-to-machine tokens).
 *
 * The tenant is looked up by the client id Cognito authenticated, in the same
 * trusted sources as the tenant-aware authorizer: the pool's
 * `TenantAppClient`s (an SSM parameter directory written at synth time, since
 * the function may not refer to the pool's client ids) and, if given, the
 * tenant registry. Client metadata sent with the token request is set by the
 * caller and is never read. Sign-ins of users are left unchanged. Of the
 * directory, the function trusts only the parameters the app's stacks create
 * (their names are in its environment): anything else written under the
 * path is ignored, logged and counted (`metricUntrustedDirectoryParameters()`).
 *
 * If a trusted source cannot answer, the token is refused (Cognito returns an
 * error; the client asks again later): a client-credentials token cannot be revoked,
 * so one issued without its tenant would outlive the outage.
 *
 * @example
 * const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m' });
 * new TenantClaim(this, 'TenantClaim', { userPool: pool });
 */
export class TenantClaim extends Construct {
  /**
   * The trigger function.
   */
  public readonly triggerFunction: lambda.IFunction;

  /**
   * The alarm on parameters under the trigger's client directory path that
   * no stack of the app created: one of the user pool's security alarms
   * (`IM2mUserPool.securityAlarms`), notifying its `securityAlarmTopic`.
   */
  public readonly untrustedDirectoryAlarm: cloudwatch.IAlarm;

  /**
   * The name of the claim that carries the tenant id.
   */
  public readonly claimName: string;

  constructor(scope: Construct, id: string, props: TenantClaimProps) {
    super(scope, id);
    const pool = createdPool(this, props.userPool);
    this.claimName = props.claimName ?? TENANT_CLAIM;
    poolState(props.userPool).tenantClaimName = this.claimName;
    if (!Token.isUnresolved(this.claimName)) {
      const problem = claimNameProblem(this.claimName);
      if (problem) throw propError(this, 'claimName', this.claimName, problem);
    }
    const registryTtl = props.registryCacheTtl ?? Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.default);
    checkDuration(this, 'registryCacheTtl', registryTtl, Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.min), Duration.seconds(REGISTRY_CACHE_TTL_SECONDS.max));
    if (props.registryCacheTtl !== undefined && !props.registry) {
      throw propError(this, 'registryCacheTtl', registryTtl, 'applies to a tenant registry: set registry too, or leave registryCacheTtl out');
    }
    if (props.outageBackoff) checkDuration(this, 'outageBackoff', props.outageBackoff, Duration.seconds(0), Duration.millis(MAX_OUTAGE_BACKOFF_MS));

    const { fn } = handlerFunction(this, {
      ids: { logs: 'Logs', role: 'Role', function: 'Function' },
      code: lambda.Code.fromAsset(TENANT_CLAIM_BUNDLE),
      description: 'Adds the calling app client\'s tenant to Cognito client-credentials access tokens',
      roleDescription: 'Tenant-claim trigger: writes its own logs and traces, reads the client directory (and the tenant registry), nothing else',
      memorySize: 512,
      // Cognito waits 5 s for a trigger; the SSM and DynamoDB clients give up well before.
      timeout: Duration.seconds(5),
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      network: checkedNetwork(this, '', props),
      runtime: handlerRuntime(this, 'runtime', props.runtime),
      defaults: requestHandlerDefaults('the trigger is throttled and Cognito refuses the token requests',
        'SSM Parameter Store for the client directory, DynamoDB for a registry'),
      environment: {
        [TENANT_CLAIM_ENV.claimName]: this.claimName,
        [TENANT_CLAIM_ENV.denyUnknownClients]: String(props.denyUnknownClients ?? false),
        ...(props.outageBackoff ? { [DIRECTORY_ENV.outageBackoffMs]: String(props.outageBackoff.toMilliseconds()) } : {}),
      },
    });
    // Always the SSM directory (CLIENT_TENANTS_PATH), decided once every tenant is declared.
    Aspects.of(this).add(new WireTrustedClients(this, fn, () => [...poolState(props.userPool).tenants.values()], {
      inline: false,
      reader: 'pre-token-generation trigger',
    }));
    if (props.registry) {
      fn.addEnvironment(REGISTRY_ENV.tableName, props.registry.tableName);
      fn.addEnvironment(REGISTRY_ENV.cacheTtlSeconds, String(registryTtl.toSeconds()));
      props.registry.grantLookup(fn);
    }
    try {
      pool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn, cognito.LambdaVersion.V3_0);
    } catch (err) {
      throw propError(this, 'userPool', props.userPool.node.path,
        `already has a pre-token-generation trigger (${(err as Error).message}): a pool takes one; give it one TenantClaim and no other PRE_TOKEN_GENERATION_CONFIG trigger`);
    }
    this.triggerFunction = fn;
    this.untrustedDirectoryAlarm = SecurityAlarms.of(props.userPool).alarm(this, 'UntrustedDirectoryAlarm',
      this.metricUntrustedDirectoryParameters({ statistic: cloudwatch.Stats.MAXIMUM }), 1,
      'The tenant-claim trigger found parameters under its client directory\'s SSM path that no stack of the app created; it ignores them. '
      + 'Its log names them (msg "untrusted directory parameter ignored"): find who wrote them (CloudTrail PutParameter) and delete them.');
  }

  /**
   * Parameters found under the trigger's client directory path in SSM
   * Parameter Store that the library did not create, and which it therefore
   * ignored: someone wrote there besides CloudFormation. Each execution
   * environment writes the count (namespace `CdkCognitoM2m`, dimension
   * `functionName`) on every directory load that finds any, and logs each
   * name once. Any is worth an alarm.
   *
   * @default - sum over 5 minutes
   */
  public metricUntrustedDirectoryParameters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionMetric(this, this.triggerFunction.functionName, UNTRUSTED_DIRECTORY_PARAMETERS_METRIC,
      { label: 'Untrusted directory parameters', ...props });
  }
}

/** The Cognito pool behind an M2mUserPool this app creates, in the construct's stack. */
function createdPool(scope: Construct, userPool: IM2mUserPool): cognito.UserPool {
  if (!(userPool instanceof M2mUserPool) || !(userPool.userPool instanceof cognito.UserPool)) {
    throw propError(scope, 'userPool', userPool.node.path,
      'must be a pool this app creates (new M2mUserPool): an imported pool\'s triggers are set where the pool is defined');
  }
  if (Stack.of(userPool) !== Stack.of(scope)) {
    throw propError(scope, 'userPool', userPool.node.path,
      `must be in the TenantClaim's stack (${Stack.of(scope).node.path}), not ${Stack.of(userPool).node.path}: the pool and its trigger function refer to each other`);
  }
  return userPool.userPool;
}
