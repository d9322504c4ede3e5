import { App } from 'aws-cdk-lib';
import { complianceFindings, findingKey } from '../bin/nag';
import { ReferenceStack } from '../bin/reference-stack';
const app = new App();
new ReferenceStack(app, 'Ref');
app.synth();
const f = complianceFindings(app).filter((x) => x.severity === 'error').map(findingKey).sort();
console.log(f.join('\n')); console.log(f.length);
