/**
 * The handlers' structured logger (lambda/shared/log.ts): what a line may
 * carry, and `afterTurn`, the sink that writes the lines of one turn of the
 * event loop together once the turn is over (the authorizer's, so that no
 * answer waits for a write).
 */
import { afterTurn, Logger, logLevelFromEnv } from '../../../lambda/shared/log';

/** The end of the current turn: what `afterTurn` waits for. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('afterTurn', () => {
  test('holds the lines of a turn and writes them in one call, in order, when the turn is over', async () => {
    const writes: string[] = [];
    const log = new Logger('info', afterTurn((s) => { writes.push(s); }));
    log.info('one', { count: 1 });
    log.warn('two', { reason: 'r' });
    await Promise.resolve(); // microtasks belong to the turn
    log.error('three');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([
      '{"level":"info","msg":"one","count":1}\n{"level":"warn","msg":"two","reason":"r"}\n{"level":"error","msg":"three"}\n',
    ]);
  });

  test('each turn gets its own write; a turn without lines writes nothing', async () => {
    const writes: string[] = [];
    const log = new Logger('info', afterTurn((s) => { writes.push(s); }));
    log.info('a');
    await turn();
    await turn();
    log.info('b');
    await turn();
    expect(writes).toEqual(['{"level":"info","msg":"a"}\n', '{"level":"info","msg":"b"}\n']);
  });

  test('a line logged while the held lines are written goes out with the next turn, not lost and not twice', async () => {
    const writes: string[] = [];
    let log: Logger;
    const sink = afterTurn((s) => {
      writes.push(s);
      if (writes.length === 1) log.info('during');
    });
    log = new Logger('info', sink);
    log.info('before');
    await turn();
    await turn();
    expect(writes).toEqual(['{"level":"info","msg":"before"}\n', '{"level":"info","msg":"during"}\n']);
  });

  test('a write that throws loses only its own lines: the next turn writes again', () => {
    // The turn's end, run by hand: the callback afterTurn hands to setImmediate.
    const ends: Array<() => void> = [];
    const spy = jest.spyOn(global, 'setImmediate').mockImplementation(((fn: () => void) => { ends.push(fn); }) as never);
    try {
      const writes: string[] = [];
      let fail = true;
      const log = new Logger('info', afterTurn((s) => {
        if (fail) { fail = false; throw new Error('EPIPE'); }
        writes.push(s);
      }));
      log.info('lost');
      expect(() => ends.shift()!()).toThrow('EPIPE');
      log.info('kept');
      expect(ends).toHaveLength(1);
      ends.shift()!();
      expect(writes).toEqual(['{"level":"info","msg":"kept"}\n']);
    } finally {
      spy.mockRestore();
    }
  });

  test('lines below the level are not held', async () => {
    const writes: string[] = [];
    const log = new Logger('warn', afterTurn((s) => { writes.push(s); }));
    log.info('quiet');
    log.debug('quieter');
    await turn();
    expect(writes).toEqual([]);
  });
});

describe('Logger', () => {
  test('keeps a field only when it passes its check; our own text is cut to 1,000 characters', () => {
    const lines: string[] = [];
    const log = new Logger('debug', (l) => { lines.push(l); });
    log.debug('x', {
      clientId: 'ok_client-1',
      tenantId: 'bad tenant',
      tokenId: 'a"b',
      errorName: 'TypeError',
      configDetail: 'd'.repeat(1200),
      count: Number.NaN,
      issuedAt: 1,
      expiresAt: Number.POSITIVE_INFINITY,
      parameterName: '/cdk-cognito-m2m/clients/Api/x',
    });
    expect(JSON.parse(lines[0])).toEqual({
      level: 'debug',
      msg: 'x',
      clientId: 'ok_client-1',
      errorName: 'TypeError',
      configDetail: 'd'.repeat(1000),
      issuedAt: 1,
      parameterName: '/cdk-cognito-m2m/clients/Api/x',
    });
  });

  test('LOG_LEVEL: debug, warn and error as given (any case), anything else info', () => {
    expect(['debug', 'WARN', 'Error', 'verbose', undefined, ''].map(logLevelFromEnv)).toEqual(['debug', 'warn', 'error', 'info', 'info', 'info']);
  });
});
