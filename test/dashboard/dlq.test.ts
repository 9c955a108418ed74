import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { topicNames } from '../../platform/index.js';
import { memoryBroker } from '../../streaming/transport/index.js';
import { testTopicSuffix } from '../support/isolation.js';
import { login, useServer, type TestServer } from './server.js';

/** The DLQ page: counts by reason, and a replay button for operators (POST with CSRF). */
describe('dashboard: the dead-letter page', function () {
  const broker = memoryBroker();
  const topics = topicNames({ KAFKA_TOPIC_SUFFIX: testTopicSuffix() });
  const late = [randomUUID(), randomUUID()];
  const shipmentId = randomUUID();
  const shipment = JSON.stringify({ eventId: shipmentId, eventType: 'EXCEPTION', exceptionCode: 'ALIENS' });
  let s: TestServer;
  useServer(
    { deadLetters: (harness) => ({ broker, db: harness.db.knex, topics }) },
    (server) => (s = server),
  );

  before(async function () {
    await broker.ensureTopics([
      { topic: topics.events, numPartitions: 2 },
      { topic: topics.dlq },
      { topic: topics.orders, numPartitions: 2 },
      { topic: topics.ordersDlq },
      { topic: topics.shipments, numPartitions: 2 },
      { topic: topics.shipmentsDlq },
      { topic: topics.audit, numPartitions: 2 },
      { topic: topics.auditDlq },
    ]);
    const publisher = await broker.publisher();
    await publisher.send(topics.dlq, [
      ...late.map((eventId) => ({
        key: 'LATE-1:WH-1',
        value: JSON.stringify({ eventId, eventType: 'RESTOCK', sku: 'LATE-1' }),
        headers: { 'x-dlq-reason': 'unknown_sku', 'x-dlq-detail': 'unknown SKU LATE-1' },
      })),
      { key: null, value: 'not json', headers: { 'x-dlq-reason': 'invalid_json' } },
    ]);
    await publisher.send(topics.shipmentsDlq, [
      {
        key: 'SHP-1',
        value: shipment,
        headers: { 'x-dlq-reason': 'invalid_field', 'x-dlq-detail': 'exceptionCode: invalid option' },
      },
    ]);
    await publisher.close();
  });

  const eventsOnTopic = () => [0, 1].flatMap((p) => broker.records(topics.events, p));
  const replay = (cookie: string, body: Record<string, string>) =>
    fetch(`${s.url}/dlq/replay`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(body),
    });

  it('lists the dead letters by reason, with a replay button for the reasons that have some left', async function () {
    const { jar } = await login(s.url);
    const page = await (await fetch(`${s.url}/dlq`, { headers: { cookie: jar.header() } })).text();
    expect(page).to.match(/<tr data-reason="unknown_sku">[\s\S]*?<td>2<\/td>\s*<td>2<\/td>[\s\S]*?Replay 2/);
    expect(page).to.include('data-reason="invalid_json"');
    for (const id of late) expect(page).to.include(id);
    const filtered = await fetch(`${s.url}/dlq?reason=bored`, {
      headers: { cookie: jar.header(), accept: 'text/html' },
    });
    expect(filtered.status).to.equal(400);
  });

  it('replays a reason once for an operator with the CSRF token, and says so the second time', async function () {
    const anonymous = await replay('', { reason: 'unknown_sku' });
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.get('location')).to.match(/^\/login/);
    const { jar, csrf } = await login(s.url);
    const noToken = await replay(jar.header(), { reason: 'unknown_sku' });
    expect(noToken.status).to.equal(403);
    expect(eventsOnTopic()).to.have.length(0);

    const first = await replay(jar.header(), { reason: 'unknown_sku', _csrf: csrf });
    expect(first.status).to.equal(303);
    expect(decodeURIComponent(first.headers.get('location')!)).to.include(
      'replayed 2 unknown_sku messages; 0 already replayed',
    );
    expect(
      eventsOnTopic()
        .map((r) => r.value!.toString())
        .sort(),
    ).to.deep.equal(
      late.map((eventId) => JSON.stringify({ eventId, eventType: 'RESTOCK', sku: 'LATE-1' })).sort(),
    );
    const second = await replay(jar.header(), { reason: 'unknown_sku', _csrf: csrf });
    expect(decodeURIComponent(second.headers.get('location')!)).to.include(
      'replayed 0 unknown_sku messages; 2 already replayed',
    );
    expect(eventsOnTopic()).to.have.length(2);
    const page = await (await fetch(`${s.url}/dlq`, { headers: { cookie: jar.header() } })).text();
    expect(page).not.to.include('Replay 2');
    expect(page).to.include('Replay 1'); // the invalid_json one is left
  });

  it('shows one topic at a time with a selector, and replays a shipment back to warehouse-shipments', async function () {
    const { jar, csrf } = await login(s.url);
    const get = (path: string) =>
      fetch(`${s.url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html' } });
    const inventory = await (await get('/dlq')).text();
    expect(inventory).to.match(/<select name="topic"[\s\S]*?<option value="inventory"\s+selected>/);
    for (const name of [topics.dlq, topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq])
      expect(inventory).to.include(`>${name}</option>`);
    expect(inventory).not.to.include(shipmentId);

    const page = await (await get('/dlq?topic=shipments')).text();
    expect(page).to.match(/<option value="shipments"\s+selected>/);
    expect(page).to.include(`Messages of ${topics.shipmentsDlq}`);
    expect(page).to.include(shipmentId);
    expect(page).not.to.include(late[0]);
    expect(page).to.include('href="/dlq?topic=shipments&amp;reason=invalid_field"');
    expect(page).to.match(/<input type="hidden" name="topic" value="shipments" \/>/);
    expect((await get('/dlq?topic=orders')).status).to.equal(200);
    expect((await get('/dlq?topic=returns')).status).to.equal(400);

    const replayed = await replay(jar.header(), { topic: 'shipments', reason: 'invalid_field', _csrf: csrf });
    expect(replayed.status).to.equal(303);
    const location = decodeURIComponent(replayed.headers.get('location')!);
    expect(location).to.match(/^\/dlq\?topic=shipments&reason=invalid_field&flash=/);
    expect(location).to.include('replayed 1 invalid_field message; 0 already replayed');
    const sent = [0, 1].flatMap((p) => broker.records(topics.shipments, p));
    expect(sent.map((r) => r.value!.toString())).to.deep.equal([shipment]);
    expect(eventsOnTopic()).to.have.length(2); // only the inventory replays of the spec before
    const bad = await replay(jar.header(), { topic: 'returns', reason: 'invalid_field', _csrf: csrf });
    expect(bad.status).to.equal(400);
  });
});
