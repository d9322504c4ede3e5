#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { synthWithAwsSolutions } from './nag';
import { ReferenceStack } from './reference-stack';

const app = new App();
new ReferenceStack(app, 'CognitoM2mReference');
// Every synth is checked against the AWS Solutions rules; an unacknowledged
// error fails `npx cdk synth`.
synthWithAwsSolutions(app);
