import { expect } from 'chai';
import {
  ConfigError,
  InvalidInputError,
  isRetriable,
  isTransactionConflict,
  PermanentTaskError,
  ServiceUnavailableError,
  WareflowError,
} from '../../platform/index.js';
import { DagDefinitionError, TaskTimeoutError } from '../../engine/index.js';

describe('isRetriable, the one retry decision', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['a PermanentTaskError', new PermanentTaskError('data must be fixed'), false],
    ['an InvalidInputError', new InvalidInputError('bad day'), false],
    ['a DagDefinitionError', new DagDefinitionError("dag 'x': cycle"), false],
    ['a ConfigError', new ConfigError('DATABASE_URL', 'missing'), false],
    [
      'a WareflowError constructed with retriable: false',
      new WareflowError('no', { retriable: false }),
      false,
    ],
    [
      'an error of a library that carries retriable: false',
      Object.assign(new Error('k'), { retriable: false }),
      false,
    ],
    ['a plain WareflowError', new WareflowError('something went wrong'), true],
    [
      'a WareflowError constructed with retriable: true',
      new WareflowError('again', { retriable: true }),
      true,
    ],
    ['a ServiceUnavailableError', new ServiceUnavailableError('redis', 'no answer'), true],
    ['a task timeout', new TaskTimeoutError('t', 10), true],
    ['a plain Error', new Error('boom'), true],
    ['a TypeError', new TypeError('fetch failed'), true],
    [
      'a PostgreSQL error with a SQLSTATE',
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      true,
    ],
    ['a connection error', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), true],
    [
      'an error of a library that carries retriable: true',
      Object.assign(new Error('k'), { retriable: true }),
      true,
    ],
    ['a thrown string', 'oops', true],
    ['null', null, true],
  ];
  for (const [what, err, expected] of table) {
    it(`${expected ? 'retries' : 'does not retry'} ${what}`, () => {
      expect(isRetriable(err)).to.equal(expected);
    });
  }

  it('keeps the retriable flag a subclass of WareflowError sets, such as an offset conflict', () => {
    class OffsetConflict extends WareflowError {
      constructor() {
        super('partition moved on', { retriable: true });
      }
    }
    expect(isRetriable(new OffsetConflict())).to.equal(true);
  });

  it('names the error class and keeps the cause', () => {
    const cause = new Error('root');
    const err = new PermanentTaskError('gate failed', { cause });
    expect(err.name).to.equal('PermanentTaskError');
    expect(err.cause).to.equal(cause);
    expect(err.retriable).to.equal(false);
  });
});

describe('isTransactionConflict', () => {
  it('is true for deadlocks and serialization failures only', () => {
    expect(isTransactionConflict(Object.assign(new Error('d'), { code: '40P01' }))).to.equal(true);
    expect(isTransactionConflict(Object.assign(new Error('s'), { code: '40001' }))).to.equal(true);
    expect(isTransactionConflict(Object.assign(new Error('u'), { code: '23505' }))).to.equal(false);
    expect(isTransactionConflict(new Error('plain'))).to.equal(false);
    expect(isTransactionConflict(undefined)).to.equal(false);
  });
});
