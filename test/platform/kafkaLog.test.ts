import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { kafkajsLogLevel } from '../../platform/index.js';

describe('kafkajs log levels', () => {
  it('writes a broker answer that kafkajs retries (a topic still being set up) at info, not error', () => {
    for (const error of [
      'This server is not the leader for that topic-partition',
      'This server does not host this topic-partition',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
    ])
      expect(kafkajsLogLevel(logLevel.ERROR, { error }), error).to.equal('info');
  });

  it('writes the idempotent producer’s retry-limit warning, given at every start of the live feed, at info', () => {
    const message = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(kafkajsLogLevel(logLevel.WARN, { message })).to.equal('info');
    expect(kafkajsLogLevel(logLevel.WARN, { message: 'Some other warning' })).to.equal('warn');
  });

  it('keeps every other entry at its own level', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, { error: 'Connection timeout' })).to.equal('error');
    expect(kafkajsLogLevel(logLevel.ERROR, {})).to.equal('error');
    expect(
      kafkajsLogLevel(logLevel.WARN, { error: 'This server does not host this topic-partition' }),
    ).to.equal('warn');
    expect(kafkajsLogLevel(logLevel.INFO, {})).to.equal('info');
  });
});
