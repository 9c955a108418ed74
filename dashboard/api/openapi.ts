import { Router } from 'express';
import { openApiDocument } from '../openapi/document.js';

/**
 * `GET /api/openapi.json`, served without a login: it describes the API and holds no data, and
 * clients (and outside checks) read it before they have credentials.
 */
export function openApiRouter(): Router {
  const document = JSON.stringify(openApiDocument());
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  return r;
}
