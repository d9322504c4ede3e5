import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeRule } from './acknowledge';

/** Id of the one account-settings construct per stack. */
const ID = 'CognitoM2mApiGatewayAccount';

/**
 * API Gateway's account settings (`AWS::ApiGateway::Account`: the role API
 * Gateway writes execution and access logs with) exist once per account and
 * Region. aws-cdk-lib's `RestApi` makes one per API; every `ScopedRestApi`
 * (a portal's included) of a stack shares this one instead.
 */
export class ApiGatewayAccount extends Construct {
  /** The stack's settings, created with the first API that needs them. */
  public static of(scope: Construct, removalPolicy: RemovalPolicy): ApiGatewayAccount {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    if (existing) return existing as ApiGatewayAccount;
    return new ApiGatewayAccount(stack, ID, removalPolicy);
  }

  public readonly account: apigateway.CfnAccount;

  private constructor(scope: Construct, id: string, removalPolicy: RemovalPolicy) {
    super(scope, id);
    const role = new iam.Role(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
      description: 'API Gateway writes the execution and access logs of this stack\'s REST APIs with this role',
    });
    role.applyRemovalPolicy(removalPolicy);
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    this.account.applyRemovalPolicy(removalPolicy);
    acknowledgeRule(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level API Gateway logging role uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, which grants only the CloudWatch Logs actions API Gateway needs to write execution and access logs.');
  }
}
