import { z } from 'zod';
import { API_ROUTES, type ApiRoute } from './routes.js';
import { COMPONENT_SCHEMAS } from './schemas.js';

type Json = Record<string, unknown>;

/** A zod schema as the JSON Schema of what a client sends (OpenAPI 3.1 uses JSON Schema 2020-12). */
export function inputSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

/** The object inside `querySchema`'s preprocessing, whose fields are the parameters. */
function objectOf(schema: z.ZodType): z.ZodObject {
  const def = (schema as unknown as { _zod: { def: { type: string; out?: z.ZodType } } })._zod.def;
  if (def.type === 'pipe' && def.out) return objectOf(def.out);
  if (def.type !== 'object') throw new Error(`parameters must be a zod object (got ${def.type})`);
  return schema as z.ZodObject;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  return Object.entries(objectOf(schema).shape).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: inputSchema(field as z.ZodType),
  }));
}

/** `/dags/:dagId` → `/dags/{dagId}`. */
export const openApiPath = (expressPath: string): string => `/api${expressPath.replace(/:(\w+)/g, '{$1}')}`;

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(route: ApiRoute): Json {
  const access = route.access ?? 'reader';
  const responses: Json = {
    [String(route.status ?? 200)]: {
      description: 'OK',
      content: {
        'application/json': {
          schema: route.returns ? { $ref: `#/components/schemas/${route.returns}` } : { type: 'object' },
        },
      },
    },
  };
  if (route.params || route.query || route.body)
    responses['400'] = error('a parameter or the body is invalid');
  if (access !== 'open') {
    responses['401'] = error(
      'credentials required (or wrong); reads are open with DASHBOARD_PUBLIC_READ=true',
    );
    responses['429'] = error('too many failed logins from this address or for this user');
  }
  if (access === 'operator')
    responses['403'] = error(
      'not allowed: a viewer, a read-only dashboard, a cross-site request or no CSRF token',
    );
  if (route.params) responses['404'] = error('no such DAG, run, task, backfill or report');
  if (route.body) {
    responses['413'] = error('body larger than 100 kB');
    responses['415'] = error('the body is not JSON (Content-Type: application/json, UTF-8)');
  }
  return {
    operationId: `${route.method}${openApiPath(route.path)
      .replace(/[{}]/g, '')
      .split(/[/.-]/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')}`,
    summary: route.summary,
    tags: [route.tag],
    ...(access === 'open' ? { security: [] } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: inputSchema(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of `/api`, built once from `API_ROUTES`. */
export function openApiDocument(routes: readonly ApiRoute[] = API_ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'wareflow API',
      version: '1',
      description:
        'The JSON API of the wareflow dashboard: DAGs, runs, backfills, warehouse results, the audit ' +
        'log. Errors are `{"error": "message"}`. Reads need credentials unless the dashboard runs with ' +
        'DASHBOARD_PUBLIC_READ=true; every change needs an operator and is recorded in the audit log.',
    },
    servers: [{ url: '/' }],
    security: [{ sessionCookie: [] }, { basicAuth: [] }, { bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'wareflow_session',
          description:
            "The login form's session; a change also sends the session's CSRF token as X-CSRF-Token.",
        },
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description:
            'DASHBOARD_USER / DASHBOARD_PASSWORD, or a user of DASHBOARD_USERS_FILE; JSON bodies only.',
        },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'DASHBOARD_TOKEN (an operator).' },
      },
      schemas: COMPONENT_SCHEMAS,
    },
  };
}
