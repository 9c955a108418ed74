import { expect } from 'chai';
import fc from 'fast-check';
import { validateMessage } from '../../streaming/index.js';
import { malformedMessage, validEvent, type ContractLimits } from './contractArbitraries.js';

/** Properties of the SPEC §3 validation, over events fast-check makes (no services needed). */
describe('streaming: the event contract, as properties', function () {
  const limits: ContractLimits = { now: Date.parse('2026-03-01T12:00:00Z'), maxEventAgeDays: 400 };
  const valid = validEvent(limits);

  it('accepts every valid event, in any id case, time form and with fields it does not know', function () {
    fc.assert(
      fc.property(valid, (body) => {
        const v = validateMessage(Buffer.from(JSON.stringify(body)), limits);
        if (!v.ok) throw new Error(`rejected as ${v.reason}: ${v.detail}`);
        expect(v.event.eventId).to.equal(String(body.eventId).trim().toLowerCase());
        expect(v.event.sku).to.equal(String(body.sku).trim().toUpperCase());
        expect(v.event.quantityChange).to.equal(body.quantityChange);
      }),
      { numRuns: 2_000 },
    );
  });

  it('dead-letters every malformed message with the reason that names its fault, and the field', function () {
    fc.assert(
      fc.property(malformedMessage(limits, valid), (m) => {
        const v = validateMessage(m.value, limits);
        if (v.ok) throw new Error(`accepted a message ${m.how}`);
        expect(v.reason, m.how).to.equal(m.reason);
        if (m.field) expect(v.detail, m.how).to.include(m.field);
      }),
      { numRuns: 3_000 },
    );
  });

  it('never throws, whatever the bytes', function () {
    fc.assert(
      fc.property(fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }), (bytes) => {
        const v = validateMessage(bytes === null ? null : Buffer.from(bytes), limits);
        expect(v.ok).to.be.a('boolean');
      }),
      { numRuns: 2_000 },
    );
  });
});
