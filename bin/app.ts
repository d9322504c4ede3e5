#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { controlTowerPlugin, synthWithNagPacks } from './nag';
import { ReferenceStack } from './reference-stack';

// AWS Control Tower's proactive controls check every template as it is
// synthesized; a failing rule fails `npx cdk synth`.
const app = new App();
Validations.of(app).addPlugins(controlTowerPlugin());
new ReferenceStack(app, 'CognitoM2mReference');
// Every synth is also checked against cdk-nag's AwsSolutions, HIPAA Security,
// NIST 800-53 R5 and PCI DSS 3.2.1 packs; an unacknowledged error fails
// `npx cdk synth`.
synthWithNagPacks(app);
