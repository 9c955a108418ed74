import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createLogger, runChecks, startHealthServer, type HealthServer } from '../../platform/index.js';

const logger = createLogger({ level: 'silent', name: 'spec' });
const TOKEN = 'a-token-of-sixteen-chars';

/** An address of this machine other than loopback, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe("the processes' /health and /metrics server", () => {
  const servers: HealthServer[] = [];
  after(async () => Promise.all(servers.map((s) => s.close())));

  it('binds loopback by default, so nothing outside this machine reads it', async function () {
    const server = await startHealthServer(0, new Registry(), { up: async () => true }, logger);
    servers.push(server);
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.have.nested.property('checks.up', 'ok');
    const outside = outsideAddress();
    if (!outside) this.skip();
    const refused = await fetch(`http://${outside}:${server.port}/health`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
  });

  it('with a metrics token, serves /metrics only to that bearer token; /health stays open', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ process: 'spec' });
    const server = await startHealthServer(0, registry, {}, logger, { metricsToken: TOKEN });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}`;
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).to.equal(401);
    expect(await anonymous.text()).to.contain('Bearer <METRICS_TOKEN>');
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).to.equal(401);
    const right = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).to.equal(200);
    expect(right.headers.get('content-type')).to.contain('text/plain');
    expect((await fetch(`${url}/health`)).status).to.equal(200);
  });

  it('counts a check down when it fails, says false, or gives no answer in time', async () => {
    const report = await runChecks(
      {
        postgres: async () => true,
        redis: async () => false,
        kafka: () => Promise.reject(new Error('refused')),
        mail: () => new Promise(() => undefined),
      },
      20,
    );
    expect(report).to.deep.equal({
      status: 'down',
      checks: { postgres: 'ok', redis: 'down', kafka: 'down', mail: 'down' },
    });
    expect(await runChecks({ postgres: async () => 1 }, 20)).to.deep.equal({
      status: 'ok',
      checks: { postgres: 'ok' },
    });
  });
});
