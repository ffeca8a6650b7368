import { isDependencyUnavailable } from './dependency-errors.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDependencyUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['an administrator shutdown', withCode('terminating connection', '57P01')],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a full server', withCode('too many clients already', '53300')],
    ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool wait that timed out', new Error('timeout exceeded when trying to connect')],
    [
      'a client the server dropped',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'a transaction whose connection TypeORM released after it failed',
      Object.assign(new Error('Query runner already released.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
  ])('recognises %s', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('looks inside a driver error and a cause', () => {
    const driverError = withCode('terminating connection', '57P01');
    const queryFailed = Object.assign(new Error('terminating connection'), { driverError });

    expect(isDependencyUnavailable(queryFailed)).toBe(true);
    expect(isDependencyUnavailable(new Error('wrapped', { cause: queryFailed }))).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s to the generic 500', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });
});
