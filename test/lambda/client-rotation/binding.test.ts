/**
 * The rotation function rotates only the secrets a TenantAppClient declared,
 * for the client it declared, as CloudFormation records them. An attacker
 * who can create a secret and name this function as its rotation function
 * gets nothing: no Cognito call is made, the step fails with
 * `secret_not_bound` (which the construct alarms on), and the sweep deletes
 * nothing of another client.
 */
import { BOUND_TAGS, CLIENT_ID, GRACE_MS, HOUR, OPS_CLIENT_ID, SECRET_ARN, STACK, World } from './fakes';
import { SecretBindings } from '../../../lambda/client-rotation/binding';
import { SecretNotBoundError } from '../../../lambda/client-rotation/errors';

const ATTACKER_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:mine-ZzZzZz';

function reasons(w: World): string[] {
  return w.logs.map((l) => JSON.parse(l).reason).filter(Boolean);
}

describe('an attacker\'s own secret that names the rotation function', () => {
  test.each([
    ['no tags', []],
    ['the tags of a tenant\'s secret copied onto it', BOUND_TAGS],
    ['tags naming a stack that declares no rotated tenant', [{ Key: 'cdk-cognito-m2m:stack-name', Value: 'Attacker' }, { Key: 'cdk-cognito-m2m:logical-id', Value: 'GlobexSecret' }]],
    ['tags naming the ops client resource', [{ Key: 'cdk-cognito-m2m:stack-name', Value: STACK }, { Key: 'cdk-cognito-m2m:logical-id', Value: 'OpsClient' }]],
  ])('with %s and the ops client\'s id in its value gets no secret for that client', async (_, tags) => {
    // GIVEN a secret the attacker created, holding the platform-ops client's id
    const w = new World('attacker-known-value', { secretArn: ATTACKER_ARN, tags, valueClientId: OPS_CLIENT_ID });
    w.start('t1');

    // WHEN Secrets Manager runs the first step
    const failure = await w.step('t1', 'createSecret').catch((e: Error) => e);

    // THEN the step fails before any Cognito call, and nothing was written
    expect(failure).toBeInstanceOf(SecretNotBoundError);
    expect((failure as Error).message).toContain(ATTACKER_ARN);
    expect(w.cognitoCalls).toEqual([]);
    expect(w.versions.get('t1')?.value).toBeUndefined();
  });

  test('every later step is refused too, so a pending value written by hand is never tested or promoted', async () => {
    const w = new World('attacker-known-value', { secretArn: ATTACKER_ARN, tags: BOUND_TAGS, valueClientId: OPS_CLIENT_ID });
    w.start('t1');
    w.versions.get('t1')!.value = JSON.stringify({ clientId: OPS_CLIENT_ID, clientSecret: 'guess', tokenEndpoint: 'https://attacker.example/oauth2/token' });
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(w.step('t1', step)).rejects.toBeInstanceOf(SecretNotBoundError);
    }
    expect(w.cognitoCalls).toEqual([]);
    expect(w.tokenChecks).toEqual([]);
    expect(w.stages().t1).toEqual(['AWSPENDING']);
  });
});

describe('a tenant\'s own secret', () => {
  test('whose value was changed to another client\'s id is refused before any Cognito call', async () => {
    // GIVEN the real tenant secret (bound to globex's client) whose value names the ops client
    const w = new World('x', { valueClientId: OPS_CLIENT_ID });
    w.start('t1');

    const failure = await w.step('t1', 'createSecret').catch((e: Error) => e);

    expect(failure).toBeInstanceOf(SecretNotBoundError);
    expect((failure as Error).message).toBe(`the AWSCURRENT value names client ${OPS_CLIENT_ID}, but the secret was declared for client ${CLIENT_ID}`);
    expect(w.cognitoCalls).toEqual([]);
  });

  test('whose pending value names another client after createSecret is refused at setSecret and testSecret', async () => {
    const w = new World();
    w.start('t1');
    await w.step('t1', 'createSecret');
    const pending = w.versions.get('t1')!;
    pending.value = JSON.stringify({ ...JSON.parse(pending.value!), clientId: OPS_CLIENT_ID });
    await expect(w.step('t1', 'setSecret')).rejects.toThrow(`the AWSPENDING value names client ${OPS_CLIENT_ID}`);
    await expect(w.step('t1', 'testSecret')).rejects.toBeInstanceOf(SecretNotBoundError);
    expect(w.tokenChecks).toEqual([]);
  });

  test('rotates when CloudFormation records it and its client', async () => {
    const w = new World();
    await w.rotate('t1');
    expect(w.currentClientSecret()).toBe('generated-secret-2');
    // The token check tests the bound client; it is never given a URL from the value.
    expect(w.tokenChecks).toEqual([{ clientId: CLIENT_ID, clientSecret: 'generated-secret-2' }]);
    expect(reasons(w)).not.toContain('secret_not_bound');
  });

  test('is refused when its stack resource is another secret (CloudFormation replaced it) or declares no client', async () => {
    const replaced = new World();
    replaced.stack.set('GlobexSecret', { ...replaced.stack.get('GlobexSecret')!, physicalId: `${SECRET_ARN}-replaced` });
    replaced.start('t1');
    await expect(replaced.step('t1', 'createSecret')).rejects.toThrow(/is not the resource "GlobexSecret" of stack Tenants \(CloudFormation reports AWS::SecretsManager::Secret .*-replaced\)/);

    const noClient = new World();
    noClient.stack.set('GlobexSecret', { ...noClient.stack.get('GlobexSecret')!, metadata: JSON.stringify({ 'aws:cdk:path': 'x' }) });
    noClient.start('t1');
    await expect(noClient.step('t1', 'createSecret')).rejects.toThrow('resource GlobexSecret of stack Tenants declares no app client (Metadata cdk-cognito-m2m:client-logical-id)');

    const notAClient = new World();
    notAClient.stack.set('GlobexSecret', { ...notAClient.stack.get('GlobexSecret')!, metadata: JSON.stringify({ 'cdk-cognito-m2m:client-logical-id': 'GlobexSecret' }) });
    notAClient.start('t1');
    await expect(notAClient.step('t1', 'createSecret')).rejects.toThrow('is not an AWS::Cognito::UserPoolClient of stack Tenants');
    expect([...replaced.cognitoCalls, ...noClient.cognitoCalls, ...notAClient.cognitoCalls]).toEqual([]);
  });
});

describe('the sweep', () => {
  test('deletes nothing for a foreign secret whose labels name a victim\'s client secrets, and logs the refusal', async () => {
    // GIVEN the attacker's secret naming this function, labelled with the victim's former secret
    const w = new World('v', { secretArn: ATTACKER_ARN, tags: BOUND_TAGS });
    w.versions.set('v0', { value: w.versions.get('v0')!.value, stages: ['AWSPREVIOUS', `cognito:${CLIENT_ID}--1700000001`] });
    w.versions.set('v1', { value: '{}', stages: ['AWSCURRENT', `cognito:${CLIENT_ID}--1700000009`] });
    w.lastRotatedAt = new Date(w.now.getTime() - GRACE_MS - HOUR);

    // WHEN the hourly sweep runs
    const result = await w.rotation.sweep('arn:aws:lambda:us-east-1:111111111111:function:rotation');

    // THEN the victim's secret is untouched and the refusal is logged for the alarm
    expect(result).toMatchObject({ examined: 1, deleted: 0, failed: 0, refused: 1 });
    expect(w.cognitoCalls).toEqual([]);
    expect(w.cognito.size).toBe(1);
    expect(reasons(w)).toContain('secret_not_bound');
  });

  test('still deletes a bound secret\'s expired former secret', async () => {
    const w = new World();
    await w.rotate('t1');
    w.advance(GRACE_MS);
    const result = await w.rotation.sweep('arn:aws:lambda:us-east-1:111111111111:function:rotation');
    expect(result).toMatchObject({ deleted: 1, refused: 0 });
    expect([...w.cognito.values()]).toEqual(['generated-secret-2']);
  });
});

describe('SecretBindings', () => {
  test('asks CloudFormation only for the stacks it trusts', async () => {
    const asked: string[] = [];
    const bindings = new SecretBindings(['Tenants'], async (stack, id) => { asked.push(`${stack}/${id}`); return undefined; });
    await expect(bindings.clientIdOf({ ARN: ATTACKER_ARN, Tags: [{ Key: 'cdk-cognito-m2m:stack-name', Value: 'Other' }, { Key: 'cdk-cognito-m2m:logical-id', Value: 'X' }] }))
      .rejects.toThrow('names stack "Other", which declares no tenant rotated by this function (trusted: Tenants)');
    expect(asked).toEqual([]);
  });

  test('passes on an outage of CloudFormation as it is (the step is retried), not as a refusal', async () => {
    const outage = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    const bindings = new SecretBindings(['Tenants'], async () => { throw outage; });
    await expect(bindings.clientIdOf({ ARN: SECRET_ARN, Tags: BOUND_TAGS })).rejects.toBe(outage);
  });
});
