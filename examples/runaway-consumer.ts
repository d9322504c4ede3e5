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
 * To watch it happen after `cdk deploy`, fetch globex's credentials from its
 * secret and ask for a token per call, e.g. 150 times:
 *
 *   for i in $(seq 150); do
 *     T=$(curl -s -u "$ID:$SECRET" -d grant_type=client_credentials "$TOKEN_ENDPOINT" | jq -r .access_token)
 *     curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $T" "$API_URL/orders"
 *   done
 *
 * (each token request costs about $0.00225). A platform admin lifts a
 * suspension early in the developer portal (`portal.addTokenBudgets`).
 * test/lambda/token-budget/runaway-consumer.test.ts runs this scenario on local servers
 * from this example's synthesized configuration.
 *
 * In this repository, to synthesize and check it:
 *
 *   npx projen compile && npx ts-node --prefer-ts-exts scripts/synth-examples.ts runaway-consumer.ts
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeControlTowerRules, BackendFunction, customerManagedKey } from '../bin/app-compliance';
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
    pool.addTenant('globex', { scopes: [orders.scope('read')], tokenBudget: budget });
    pool.addTenant('initech', { scopes: [orders.scope('read')], tokenBudget: budget });

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
    new M2mMonitoring(this, 'Monitoring', { api, alarmTopic: oncall, tokenBudgets: budgets });
  }
}

const app = new App();
new RunawayConsumerStack(app, 'CognitoM2mExampleRunawayConsumer');
// AWS Control Tower rules this example accepts, each with its reason (bin/app-compliance.ts).
acknowledgeControlTowerRules(app, ['lambda_inside_vpc_check', 'lambda_function_public_access_prohibited_check']);
app.synth();
