import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Where a bundled function of this library runs and how much concurrency it
 * keeps for itself: the settings HIPAA, NIST 800-53 and PCI DSS reviewers
 * ask for (`LambdaInsideVPC`, `LambdaConcurrency`, Control Tower
 * CT.LAMBDA.PR.3). Left out, the function runs outside a VPC with no
 * reservation, and the library acknowledges those findings on the function
 * with the reason (README, Compliance).
 */
export interface HandlerPlacementOptions {
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
