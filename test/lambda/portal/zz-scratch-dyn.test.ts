import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTable, CREDENTIALS, REGION, startDynalite } from './harness';
test('map ops', async () => {
  const d = await startDynalite();
  const ddb = new DynamoDBClient({ endpoint: d.endpoint, region: REGION, credentials: CREDENTIALS });
  await createTable(ddb, 't');
  const doc = DynamoDBDocumentClient.from(ddb);
  const key = { pk: 'a', sk: 'b' };
  let err: any;
  try { await doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'SET #s.#n = :r', ExpressionAttributeNames: { '#s': 'slots', '#n': 'x' }, ExpressionAttributeValues: { ':r': 'r1' } })); } catch (e) { err = e; }
  console.log('missing item', err?.name, err?.message);
  await doc.send(new PutCommand({ TableName: 't', Item: { ...key, slots: {} } }));
  const take = (n: string, r: string) => doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'SET #s.#n = :r',
    ConditionExpression: 'attribute_exists(#s.#n) OR size(#s) < :max', ExpressionAttributeNames: { '#s': 'slots', '#n': n }, ExpressionAttributeValues: { ':r': r, ':max': 2 } }));
  await take('x', 'r1'); await take('y', 'r2');
  try { await take('z', 'r3'); console.log('z taken!?'); } catch (e: any) { console.log('z', e.name); }
  await take('x', 'r4');
  try { await doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'REMOVE #s.#n', ConditionExpression: '#s.#n = :r', ExpressionAttributeNames: { '#s': 'slots', '#n': 'x' }, ExpressionAttributeValues: { ':r': 'r1' } })); console.log('removed wrongly'); } catch (e: any) { console.log('cond remove', e.name); }
  await doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'REMOVE #s.#n', ConditionExpression: '#s.#n = :r', ExpressionAttributeNames: { '#s': 'slots', '#n': 'x' }, ExpressionAttributeValues: { ':r': 'r4' } }));
  console.log(JSON.stringify((await doc.send(new GetCommand({ TableName: 't', Key: key }))).Item));
  try { await doc.send(new UpdateCommand({ TableName: 't', Key: key, UpdateExpression: 'REMOVE #s.#n', ConditionExpression: '#s.#n = :r', ExpressionAttributeNames: { '#s': 'slots', '#n': 'nope' }, ExpressionAttributeValues: { ':r': 'r4' } })); } catch (e: any) { console.log('remove missing', e.name); }
  ddb.destroy(); await d.close();
});
