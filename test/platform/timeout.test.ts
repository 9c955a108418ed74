import { expect } from 'chai';
import { withTimeout } from '../../platform/index.js';

describe('withTimeout', () => {
  const late = (ms: number, outcome: () => unknown) =>
    new Promise((resolve) => setTimeout(resolve, ms)).then(outcome);

  it('gives the answer that comes in time', async () => {
    expect(
      await withTimeout(
        late(5, () => 'ends'),
        1_000,
        () => new Error('late'),
      ),
    ).to.equal('ends');
  });

  it('gives the error that comes in time', async () => {
    const failed = late(5, () => {
      throw new Error('broker said no');
    });
    await withTimeout(failed, 1_000, () => new Error('late')).then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('broker said no'),
    );
  });

  it('gives its own error when no answer comes in time, and drops a failure that comes later', async () => {
    const failsLater = late(50, () => {
      throw new Error('too late to matter');
    });
    await withTimeout(failsLater, 5, () => new Error('no answer within 5 ms')).then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('no answer within 5 ms'),
    );
    // The late rejection is handled: mocha would fail the run on an unhandled one.
    await late(60, () => undefined);
  });
});
