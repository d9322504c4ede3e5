import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Where a bundled function of this library runs, on which Node.js runtime,
 * and how much concurrency it keeps for itself: the settings HIPAA, NIST
 * 800-53 and PCI DSS reviewers ask for (`LambdaInsideVPC`,
 * `LambdaConcurrency`, Control Tower CT.LAMBDA.PR.3) and the runtime
 * cdk-nag's `AwsSolutions-L1` checks. Left out, the function runs outside a
 * VPC with no reservation, and the library acknowledges those findings on
 * the function with the reason (README, Compliance); it runs on the newest
 * Node.js runtime your aws-cdk-lib knows.
 */
export interface HandlerPlacementOptions {
  /**
   * The Lambda runtime of the function: Node.js 20 or later (the handlers
   * are JavaScript bundles built for Node.js 20). Set it to pin a runtime
   * (templates then stay the same when you upgrade aws-cdk-lib), or to use
   * a runtime your aws-cdk-lib does not list yet, e.g.
   * `new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS)`. Any
   * other runtime is a synth error naming this prop.
   *
   * @default - the newest Node.js runtime the installed aws-cdk-lib knows (`lambda.Runtime.ALL`): e.g. `nodejs24.x` on aws-cdk-lib 2.257, `nodejs26.x` on 2.278; the one cdk-nag's AwsSolutions-L1 expects
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The VPC the function runs in. It must still reach the AWS services it
   * calls: give its subnets a NAT gateway (about $32 a month per AZ plus
   * data) or VPC endpoints for those services (a DynamoDB gateway endpoint is
   * free; an interface endpoint is about $7 a month per AZ).
   *
   * @default - the function runs outside any VPC, in the Lambda service's network
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the function runs in.
   *
   * @default - the VPC's private subnets with egress (Lambda's default)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function in `vpc`.
   *
   * @default - a new security group that allows TCP 443 out only (to AWS service endpoints through VPC endpoints or a NAT gateway) and nothing in
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Concurrency reserved for the function. Reserving guarantees capacity but
   * is also a ceiling (calls beyond it are throttled) and is taken from the
   * account's unreserved pool, which must keep at least 100.
   *
   * @default - no reservation
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrentExecutions?: number;
}
