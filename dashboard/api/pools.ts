import { Router, type RequestHandler } from 'express';
import { actorOf, audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { poolBody, poolParams, poolPatchBody } from '../validation.js';

/**
 * Pools: their slots and what their task instances hold and wait for. Setting slots is an
 * operator's change, audited as `pool.set`; more slots are granted at once, fewer take nothing
 * back from running tasks.
 */
export function poolsApi(deps: RouteDeps): Router {
  const { engine, policy } = deps;
  const mutation = requireMutation(policy, 'api');
  const r = Router();

  const find = async (name: string) => {
    const pool = (await engine.listPools()).find((p) => p.name === name);
    if (!pool) throw notFound(`pool '${name}'`);
    return pool;
  };

  r.get('/pools', async (_req, res) => {
    res.json({ pools: await engine.listPools() });
  });

  r.get('/pools/:pool', async (req, res) => {
    res.json(await find(poolParams.parse(req.params).pool));
  });

  const set =
    (patch: boolean): RequestHandler =>
    async (req, res) => {
      const { pool: name } = poolParams.parse(req.params);
      const body = (patch ? poolPatchBody : poolBody).parse(req.body ?? {});
      const before = await find(name);
      const slots = body.slots === undefined ? before.slots : body.slots;
      const { description } = body;
      const change = await audited(
        deps,
        req,
        res,
        { action: 'pool.set', detail: { pool: name, slots, ...(description ? { description } : {}) } },
        () =>
          engine.setPoolSlots(name, slots, {
            by: actorOf(req, res).actor,
            ...(description !== undefined ? { description } : {}),
          }),
        (c) => ({ detail: { previous: c.previous, granted: c.granted } }),
      );
      res.json({ ...change.pool, previous: change.previous, granted: change.granted });
    };
  r.put('/pools/:pool', mutation, set(false));
  r.patch('/pools/:pool', mutation, set(true));

  return r;
}
