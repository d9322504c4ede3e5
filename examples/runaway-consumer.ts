/**
 * Example: token budgets against a runaway consumer.
 *
 * Two tenants call an orders API. globex's billing service has a bug: it
 * asks Cognito for a new access token before every call instead of reusing
 * one (each token request is billed, and all of the account's token requests
 * share one quota). Each tenant's client has a token budget
 * (`tokenBudget`: new tokens per hour and per day), and globex has a budget
 * for all its clients together (`TokenBudgets` `tenants`). `TokenBudgets`
 * counts each token once, when the API's tenant-aware authorizer first
 * verifies it; when globex's client crosses its hourly budget:
 *
 * - the alarm on `TokenBudgetExceeded` goes off and the on-call topic gets a
 *   message naming the tenant, the client, the budget, the window and the count;
 * - the client is suspended for 30 minutes (`suspendFor`): the authorizer
 *   denies its tokens with the reason `token_budget` (within
 *   `budgetCacheTtl` plus the authorizer's result cache, 30 s each by default);
 * - initech's service, within its own budget, keeps working;
 * - the M2mMonitoring dashboard shows the new tokens per client (Contributor
 *   Insights) and the crossings; the budget function's log and the on-call
 *   message say who crossed what.
 *
 * The example deploys both tenants' services (examples/consumer/orders-caller.ts,
 * the token client's EMF metrics on the dashboard): initech's keeps one token
 * client per execution environment; globex's builds one per call, the bug.
 * To watch it happen after `cdk deploy`, invoke each a few times with 20 to
 * 200 calls (the stack's outputs name the functions):
 *
 *   aws lambda invoke --function-name "$GLOBEX_CALLER" --payload '{"calls":150}' \
 *     --cli-binary-format raw-in-base64-out /dev/stdout
 *   aws lambda invoke --function-name "$INITECH_CALLER" --payload '{"calls":150}' \
 *     --cli-binary-format raw-in-base64-out /dev/stdout
 *
 * globex's answer counts 150 calls answered 200, each with a token of its
 * own (TokenFetched 150 on the dashboard); a few minutes later (the log subscription's delivery, then the suspension cache)
 * its calls are answered 401, while initech's, one token for all its calls,
 * are still answered 200.
 *
 * Each token request costs about $0.00225. A platform admin lifts a
 * suspension early in the developer portal (`portal.addTokenBudgets`).
 * test/lambda/token-budget/runaway-consumer.test.ts runs this scenario on local servers
 * from this example's synthesized configuration.
 *
 * In this repository, to synthesize and check it:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts runaway-consumer.ts
 */
import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, BackendFunction, ConsumerFunction, customerManagedKey } from '../bin/app-compliance';
import { ApiWebAcl, M2mMonitoring, M2mUserPool, ScopedRestApi, TokenBudgets } from 'cdk-cognito-m2m';

class RunawayConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const pool = new M2mUserPool(this, 'Pool', { domainPrefix: 'acme-m2m-runaway' });
    const orders = pool.addResourceServer('Orders', {
      identifier: 'https://api.acme.example/orders',
      scopes: [{ name: 'read', description: 'Read orders' }],
    });

    // A well-behaved service reuses its 60-minute token: a few new tokens an hour.
    // 120 an hour leaves room for many instances and restarts; past it, the client is suspended for 30 minutes.
    const budget = { perHour: 120, perDay: 1000, suspendFor: Duration.minutes(30) };
    const globex = pool.addTenant('globex', { scopes: [orders.scope('read')], tokenBudget: budget });
    const initech = pool.addTenant('initech', { scopes: [orders.scope('read')], tokenBudget: budget });

    const webAcl = new ApiWebAcl(this, 'WebAcl');
    const api = new ScopedRestApi(this, 'Api', {
      userPool: pool,
      description: 'Orders API for tenant backends (OAuth 2.0 client credentials)',
      webAclArn: webAcl.webAclArn,
    });
    const backend = new BackendFunction(this, 'Backend', {
      description: 'Example orders backend answering with the caller\'s tenant',
      inlineCode: 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ orders: [], tenantId: event.requestContext.authorizer.tenantId }) });',
    }).function;
    api.addScopedMethod(api.root.addResource('orders'), 'GET', new apigateway.LambdaIntegration(backend), { scopes: [orders.scope('read')] });

    // The on-call topic: encrypted, TLS only, and CloudWatch alarms may use its key.
    const topicKey = customerManagedKey(this, 'OncallKey', 'the on-call topic');
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    }));
    const oncall = new sns.Topic(this, 'Oncall', { masterKey: topicKey, enforceSSL: true });

    // Counting, the alarm, the suspension; globex's clients together also get a daily budget.
    const budgets = new TokenBudgets(this, 'TokenBudgets', {
      api,
      alarmTopic: oncall,
      tenants: { globex: { perDay: 2000, suspendFor: Duration.hours(1) } },
    });

    // The dashboard: new tokens per client and tenant, token-request quota, cost, and the budget crossings and alarms.
    const monitoring = new M2mMonitoring(this, 'Monitoring', { api, alarmTopic: oncall, tokenBudgets: budgets });

    // The tenants' services, invoked by hand: initech's reuses its token; globex's asks for one per call (the bug).
    const callers = [
      { name: 'GlobexCaller', tenant: globex, service: 'globex-orders-caller', perCall: true },
      { name: 'InitechCaller', tenant: initech, service: 'initech-orders-caller', perCall: false },
    ].map(({ name, tenant, service, perCall }) => {
      const fn = new ConsumerFunction(this, name, {
        description: `${tenant.tenantId}'s orders caller`,
        entry: path.join(__dirname, 'consumer', 'orders-caller.ts'),
        credentials: tenant.secret,
        // Room for 200 calls, each with its own token request in globex's case.
        timeout: Duration.minutes(2),
        environment: {
          M2M_SECRET_ARN: tenant.secret.secretArn,
          ORDERS_API_URL: api.url,
          ORDERS_READ_SCOPE: orders.scope('read').scopeName,
          SERVICE_NAME: service,
          NEW_CLIENT_PER_CALL: String(perCall),
        },
      }).function;
      new CfnOutput(this, `${name}Name`, { value: fn.functionName });
      return service;
    });
    // What the services report (the token client's EMF metrics): a token per call shows as fetched = calls, no cache hits.
    const consumerMetric = (metricName: string, service: string) => new cloudwatch.Metric({
      namespace: 'CognitoM2mExample/OrdersCaller', metricName, dimensionsMap: { Service: service }, statistic: cloudwatch.Stats.SUM, label: `${service} ${metricName}`,
    });
    monitoring.dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: 'The services\' tokens: fetched and served from cache',
      left: callers.flatMap((service) => [consumerMetric('TokenFetched', service), consumerMetric('TokenCacheHit', service)]),
      width: 24,
      height: 6,
    }));
  }
}

const app = new App();
new RunawayConsumerStack(app, 'CognitoM2mExampleRunawayConsumer');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
