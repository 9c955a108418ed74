import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import type { Router } from 'express';
import { openApiRouter } from '../../dashboard/api/openapi.js';
import { apiRouters } from '../../dashboard/app.js';
import type { RouteDeps } from '../../dashboard/deps.js';
import { openApiPath } from '../../dashboard/openapi/document.js';
import { startServer, type TestServer } from './server.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** `get /api/dags/{dagId}` for every route a router registers. */
function registered(router: Router): string[] {
  return (router.stack as Layer[]).flatMap((layer) => {
    if (!layer.route) return [];
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    return paths.flatMap((p) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m} ${openApiPath(p)}`),
    );
  });
}

/** GET /api/openapi.json: a valid OpenAPI document of exactly the routes /api has. */
describe('dashboard: the OpenAPI document', function () {
  this.timeout(60_000);
  let s: TestServer;
  let document: Record<string, any>;

  before(async () => {
    s = await startServer();
    // No credentials: the description is open (it holds no data).
    const response = await fetch(`${s.url}/api/openapi.json`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    document = (await response.json()) as Record<string, any>;
  });
  after(async () => s?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
    // The validator is not lenient: a parameter in the body (OpenAPI 2's way) is refused.
    const broken = structuredClone(document);
    broken.paths['/api/runs'].get.parameters[0].in = 'body';
    expect((await new Validator().validate(broken)).valid).to.equal(false);
  });

  it('describes every route the API registers, and no route it does not', () => {
    // Handlers are built lazily from their deps: building the routers needs none of them.
    const routers = [openApiRouter(), ...apiRouters({} as RouteDeps)];
    const actual = routers.flatMap(registered).sort();
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m} ${path}`))
      .sort();
    expect(actual.length).to.be.greaterThan(30);
    expect(documented).to.deep.equal(actual);
  });

  it('describes parameters, bodies, the error shape and the three ways to authenticate', () => {
    const trigger = document.paths['/api/dags/{dagId}/runs'].post;
    expect(trigger.parameters).to.deep.include({
      name: 'dagId',
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 250, pattern: '^[A-Za-z0-9_.-]+$' },
    });
    expect(trigger.requestBody.content['application/json'].schema.properties).to.have.property('conf');
    expect(Object.keys(trigger.responses)).to.include.members(['201', '400', '401', '403', '404', '415']);
    expect(trigger.responses['403'].content['application/json'].schema).to.deep.equal({
      $ref: '#/components/schemas/Error',
    });
    const runs = document.paths['/api/runs'].get.parameters.map((p: { name: string }) => p.name);
    expect(runs).to.deep.equal(['limit', 'offset', 'state', 'run_type']);
    const note = document.paths['/api/dags/{dagId}/runs/{runId}/note'].put;
    expect(note.requestBody.content['application/json'].schema.required).to.deep.equal(['note']);
    expect(Object.keys(document.components.securitySchemes).sort()).to.deep.equal([
      'basicAuth',
      'bearerAuth',
      'sessionCookie',
    ]);
    expect(document.paths['/api/openapi.json'].get.security).to.deep.equal([]);
    expect(document.components.schemas.Error.required).to.deep.equal(['error']);
  });

  it('matches what a 4xx actually answers: {"error": message}', async () => {
    const response = await fetch(`${s.url}/api/runs/not-a-number`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(response.status).to.equal(401);
    expect(Object.keys((await response.json()) as object)).to.deep.equal(['error']);
  });
});
