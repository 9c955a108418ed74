import { expect } from 'chai';
import { ConfigError, loadConfig, redact, topicNames } from '../../platform/index.js';

describe('configuration', () => {
  it('falls back to the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).to.equal('postgres://postgres@127.0.0.1:5432/wareflow');
    expect(config.REDIS_URL).to.equal('redis://127.0.0.1:6379');
    expect(config.KAFKA_BROKERS).to.deep.equal(['127.0.0.1:9092']);
    expect(config.SMTP_URL).to.equal(undefined);
    expect(config.MAX_EVENT_AGE_DAYS).to.equal(400);
    expect(config.DASHBOARD_PORT).to.equal(3000);
  });

  it('parses lists, numbers and booleans', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:9092, b:9093',
      ALERT_EMAIL_TO: 'ops@example.com,buyer@example.com',
      DASHBOARD_READONLY: 'true',
      WORKER_CONCURRENCY: '3',
    });
    expect(config.KAFKA_BROKERS).to.deep.equal(['a:9092', 'b:9093']);
    expect(config.ALERT_EMAIL_TO).to.deep.equal(['ops@example.com', 'buyer@example.com']);
    expect(config.DASHBOARD_READONLY).to.equal(true);
    expect(config.WORKER_CONCURRENCY).to.equal(3);
  });

  it('puts the supplier drop directory under DATA_DIR unless SUPPLIER_DROP_DIR names one', () => {
    expect(loadConfig({ DATA_DIR: '/srv/wareflow' }).SUPPLIER_DROP_DIR).to.equal(
      '/srv/wareflow/supplier-drop',
    );
    expect(loadConfig({ SUPPLIER_DROP_DIR: '/mnt/edi/in' }).SUPPLIER_DROP_DIR).to.equal('/mnt/edi/in');
  });

  it('reads the audit policy: a value limit and the night as FROM-TO hours, refusing anything else by name', () => {
    const config = loadConfig({ AUDIT_ADJUSTMENT_VALUE_LIMIT: '2500', AUDIT_NIGHT_HOURS: '23-5' });
    expect(config.AUDIT_ADJUSTMENT_VALUE_LIMIT).to.equal(2500);
    expect(config.AUDIT_NIGHT_HOURS).to.deep.equal({ from: 23, to: 5 });
    for (const [name, value] of [
      ['AUDIT_ADJUSTMENT_VALUE_LIMIT', '0'],
      ['AUDIT_NIGHT_HOURS', '22:00-06:00'],
      ['AUDIT_NIGHT_HOURS', '24-6'],
      ['AUDIT_NIGHT_HOURS', '6-6'],
    ] as const)
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`)
        .to.throw(ConfigError)
        .with.property('message')
        .that.match(new RegExp(`^${name}: `));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '  ' }).REDIS_URL).to.equal('redis://127.0.0.1:6379');
  });

  const bad: Array<[string, string]> = [
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['KAFKA_BROKERS', 'localhost'],
    ['DASHBOARD_PORT', '70000'],
    ['WORKER_CONCURRENCY', '-1'],
    ['DASHBOARD_READONLY', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['ALERT_EMAIL_TO', 'nobody'],
    ['KAFKA_TOPIC_SUFFIX', 'has space'],
  ];
  for (const [variable, value] of bad) {
    it(`stops with an error naming ${variable} when it is ${JSON.stringify(value)}`, () => {
      expect(() => loadConfig({ [variable]: value }))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(new RegExp(`^${variable}: `));
    });
  }

  it('requires the dashboard user and password together', () => {
    expect(() => loadConfig({ DASHBOARD_USER: 'admin' })).to.throw(ConfigError, /DASHBOARD_PASSWORD/);
  });

  it('never echoes a password inside a bad URL', () => {
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'http://user:hunter2@mail' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(/^SMTP_URL: /);
    expect(message).not.to.contain('hunter2');
    expect(redact('postgres://u:secret@h/db')).to.equal('postgres://u:***@h/db');
  });

  it('appends the topic suffix to every topic', () => {
    expect(topicNames({ KAFKA_TOPIC_SUFFIX: '.t1' })).to.deep.equal({
      events: 'inventory-events.t1',
      dlq: 'inventory-events.dlq.t1',
      alerts: 'inventory-alerts.t1',
      reorders: 'reorder-events.t1',
      analytics: 'analytics-events.t1',
      orders: 'warehouse-orders.t1',
      ordersDlq: 'warehouse-orders.dlq.t1',
      shipments: 'warehouse-shipments.t1',
      shipmentsDlq: 'warehouse-shipments.dlq.t1',
      audit: 'warehouse-audit.t1',
      auditDlq: 'warehouse-audit.dlq.t1',
    });
  });
});
