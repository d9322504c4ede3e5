/**
 * The rotation of a TenantAppClient secret, step by step and across retries
 * and failures, against an in-memory Secrets Manager and Cognito
 * (aws-sdk-client-mock; cognito-local has no client-secret API). After every
 * step, failed or not, the value consumers read holds a client secret Cognito
 * accepts, and the client holds at most two secrets.
 */
import { CLIENT_ID, FUNCTION_ARN, GRACE_MS, HOUR, World } from './fakes';
import { GracePeriodRunningError, PendingSecretError, TokenTestError, UnknownCurrentSecretError } from '../../../lambda/client-rotation/errors';

const ORIGINAL_ID = `${CLIENT_ID}--1700000001`;

describe('a rotation', () => {
  test('adds a second secret, promotes it after a token test, and keeps the old one working', async () => {
    // GIVEN the secret CloudFormation wrote
    const w = new World();

    // WHEN
    await w.rotate('t1');

    // THEN consumers read the new secret; the original still works (grace period)
    expect(w.currentClientSecret()).toBe('generated-secret-2');
    expect([...w.cognito.values()].sort()).toEqual(['generated-secret-2', 'original-cloudformation-secret-value']);
    // Each value records its Cognito secret id; the old version is AWSPREVIOUS.
    expect(w.stages().v0).toEqual([`cognito:${ORIGINAL_ID}`, 'AWSPREVIOUS']);
    expect(w.stages().t1.sort()).toEqual(['AWSCURRENT', 'AWSPENDING', `cognito:${CLIENT_ID}--1700000002`]);
    // Same JSON keys, only the client secret changed.
    const current = JSON.parse([...w.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))!.value!);
    expect(Object.keys(current)).toEqual(['tenantId', 'clientId', 'clientSecret', 'tokenEndpoint', 'scope']);
    w.expectConsumersServed();
  });

  test('logs no secret value', async () => {
    const w = new World();
    await w.rotate('t1');
    const logs = w.logs.join('');
    expect(logs).not.toContain('generated-secret');
    expect(logs).not.toContain('original-cloudformation-secret-value');
    expect(w.logs.map((l) => JSON.parse(l).msg)).toContain('client secret added as AWSPENDING');
  });

  test('each step run twice (Secrets Manager retries) gives the same result and one new secret', async () => {
    const w = new World();
    w.start('t1');
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await w.step('t1', step);
      await w.step('t1', step);
      w.expectConsumersServed();
    }
    expect(w.cognito.size).toBe(2);
    expect(w.currentClientSecret()).toBe('generated-secret-2');
  });
});

describe('the grace period', () => {
  test('the sweep deletes the old secret only once the grace period has passed, and removes its label', async () => {
    const w = new World();
    await w.rotate('t1');

    w.advance(GRACE_MS - HOUR);
    await w.rotation.sweep(FUNCTION_ARN);
    expect(w.cognito.has(ORIGINAL_ID)).toBe(true);

    w.advance(HOUR);
    await w.rotation.sweep(`${FUNCTION_ARN}:$LATEST`);
    expect([...w.cognito.values()]).toEqual(['generated-secret-2']);
    expect(w.stages().v0).toEqual(['AWSPREVIOUS']);
    w.expectConsumersServed();
  });

  test('the sweep leaves secrets rotated by another function alone', async () => {
    const w = new World();
    await w.rotate('t1');
    w.advance(2 * GRACE_MS);
    w.rotationLambdaArn = 'arn:aws:lambda:us-east-1:111111111111:function:someone-else';
    await expect(w.rotation.sweep(FUNCTION_ARN)).resolves.toEqual({ examined: 0, deleted: 0, failed: 0, refused: 0 });
    expect(w.cognito.size).toBe(2);
  });

  test('the next rotation deletes an expired old secret the sweep missed: never a third secret', async () => {
    const w = new World();
    await w.rotate('t1');
    w.advance(30 * 24 * HOUR);
    await w.rotate('t2');
    expect([...w.cognito.values()].sort()).toEqual(['generated-secret-2', 'generated-secret-3']);
    expect(w.currentClientSecret()).toBe('generated-secret-3');
    w.expectConsumersServed();
  });

  test('a rotation inside the grace period is refused before anything changes', async () => {
    const w = new World();
    await w.rotate('t1');
    w.advance(HOUR);
    const before = { stages: w.stages(), cognito: [...w.cognito] };

    await expect(w.rotate('t2')).rejects.toThrow(GracePeriodRunningError);
    await expect(w.step('t2', 'createSecret')).rejects.toThrow(/grace period runs until 2026-03-02T00:00:00.000Z/);
    expect([...w.cognito]).toEqual(before.cognito);
    w.expectConsumersServed();
  });
});

describe('failures leave a working secret', () => {
  test('a lost write after adding the secret: the retry deletes the orphan and adds one secret', async () => {
    const w = new World();
    w.start('t1');
    w.failNext.set('PutSecretValue', 'before');
    await expect(w.step('t1', 'createSecret')).rejects.toThrow('PutSecretValue failed');
    expect(w.cognito.size).toBe(2); // the orphan, whose value no one saw
    w.expectConsumersServed();

    await w.step('t1', 'createSecret');
    expect(w.cognito.size).toBe(2);
    expect(w.cognito.has(`${CLIENT_ID}--1700000002`)).toBe(false);
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await w.step('t1', step);
    expect(w.currentClientSecret()).toBe('generated-secret-3');
    w.expectConsumersServed();
  });

  test('a write whose answer was lost is not repeated', async () => {
    const w = new World();
    w.start('t1');
    w.failNext.set('PutSecretValue', 'after');
    await expect(w.step('t1', 'createSecret')).rejects.toThrow('answer lost');
    await w.step('t1', 'createSecret');
    expect(w.cognito.size).toBe(2);
    for (const step of ['setSecret', 'testSecret', 'finishSecret'] as const) await w.step('t1', step);
    expect(w.currentClientSecret()).toBe('generated-secret-2');
  });

  test.each([
    ['AddUserPoolClientSecret', 'createSecret'],
    ['ListUserPoolClientSecrets', 'setSecret'],
    ['GetSecretValue', 'testSecret'],
    ['UpdateSecretVersionStage', 'finishSecret'],
  ] as const)('%s failing in %s keeps the current secret, and a retry completes', async (command, failing) => {
    const w = new World();
    w.start('t1');
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      if (step === failing) {
        w.failNext.set(command, 'before');
        await expect(w.step('t1', step)).rejects.toThrow(`${command} failed`);
        expect(w.currentClientSecret()).toBe('original-cloudformation-secret-value');
        w.expectConsumersServed();
      }
      await w.step('t1', step);
    }
    expect(w.currentClientSecret()).toBe('generated-secret-2');
    w.expectConsumersServed();
  });

  test('a failed token test stops the rotation before promotion', async () => {
    const w = new World();
    w.tokenCheckFails = true;
    w.start('t1');
    await w.step('t1', 'createSecret');
    await w.step('t1', 'setSecret');
    await expect(w.step('t1', 'testSecret')).rejects.toThrow(TokenTestError);
    await expect(w.step('t1', 'testSecret')).rejects.toThrow(/no access token with the pending secret of client 4tq1example5clientid6789ab: TokenClientError/);
    expect(w.currentClientSecret()).toBe('original-cloudformation-secret-value');
    w.expectConsumersServed();
  });

  test('setSecret refuses a pending value whose Cognito secret was deleted meanwhile', async () => {
    const w = new World();
    w.start('t1');
    await w.step('t1', 'createSecret');
    w.cognito.delete(`${CLIENT_ID}--1700000002`);
    await expect(w.step('t1', 'setSecret')).rejects.toThrow(PendingSecretError);
    w.expectConsumersServed();
  });

  test('testSecret refuses a pending value that changes anything but the client secret', async () => {
    const w = new World();
    w.start('t1');
    await w.step('t1', 'createSecret');
    const pending = w.versions.get('t1')!;
    pending.value = JSON.stringify({ ...JSON.parse(pending.value!), scope: 'orders/write' });
    await expect(w.step('t1', 'testSecret')).rejects.toThrow('the pending value differs from the current one in scope; only clientSecret may change');
  });
});

describe('secrets the function did not record', () => {
  test('a client holding two secrets before its first rotation is left alone', async () => {
    const w = new World();
    w.cognito.set(`${CLIENT_ID}--1800000000`, 'added-by-hand');
    w.start('t1');
    await expect(w.step('t1', 'createSecret')).rejects.toThrow(UnknownCurrentSecretError);
    expect(w.cognito.size).toBe(2);
  });

  test('a current value written outside the rotation (a changed template value) stops deletions', async () => {
    const w = new World();
    await w.rotate('t1');
    // CloudFormation writes the template value back: the original secret, a new AWSCURRENT without a label.
    w.versions.get('t1')!.stages = w.versions.get('t1')!.stages.filter((s) => s !== 'AWSCURRENT').concat('AWSPREVIOUS');
    w.versions.get('v0')!.stages = w.versions.get('v0')!.stages.filter((s) => s !== 'AWSPREVIOUS');
    w.versions.set('cfn', { value: w.versions.get('v0')!.value, stages: ['AWSCURRENT'] });
    w.advance(2 * GRACE_MS);

    await w.rotation.sweep(FUNCTION_ARN);
    expect(w.cognito.has(`${CLIENT_ID}--1700000002`)).toBe(true);
    expect(w.logs.some((l) => JSON.parse(l).reason === 'current_secret_unknown')).toBe(true);
    w.start('t2');
    await expect(w.step('t2', 'createSecret')).rejects.toThrow(/written outside the rotation/);
  });
});
