#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { synthWithNagPacks } from './nag';
import { ReferenceStack } from './reference-stack';

// AWS Control Tower's proactive controls run in the tests (test/reference-app.test.ts), against the
// findings still open in test/compliance-baseline.json; as a policy validation plugin on this App they
// would fail every synth on those open findings.
const app = new App();
new ReferenceStack(app, 'CognitoM2mReference');
// Every synth is checked against cdk-nag's AwsSolutions, HIPAA Security,
// NIST 800-53 R5 and PCI DSS 3.2.1 packs; an unacknowledged error fails
// `npx cdk synth`.
synthWithNagPacks(app);
