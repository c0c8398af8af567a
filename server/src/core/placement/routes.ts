// The handler of a request that the agent did not record (appmap-node records named functions
// only: `router.get('/', function (req, res) { … })` leaves nothing of the app in the recording),
// found from the request's method and path in the source, whatever the framework: each reader of
// routes/ declares its framework's routes with their prefixes joined (Express, Koa and Fastify;
// Nest; Django; Rails; Flask and FastAPI; Spring), and one table, read once per index generation,
// answers a request by the first two segments of its path. A request matched by routes of two families
// (or two equally specific routes of one) has no certain handler.

import { SourceIndex } from '../sourceIndex';
import { countWork } from '../workCounter';
import { djangoRoutes } from './routes/django';
import { expressRoutes } from './routes/express';
import { flaskRoutes } from './routes/flask';
import { nestRoutes } from './routes/nest';
import { railsRoutes } from './routes/rails';
import { springRoutes } from './routes/spring';
import { DeclaredRoute, keysOf, requestedSegments } from './routes/table';

/** A route handler in the source. */
export interface RouteHandler {
  path: string;
  /** The handler's lines (a function, a method, or the class of a class-based view). */
  fromLine: number;
  toLine: number;
  /** `GET /api/users/:id`, the route as written, with its prefixes. */
  route: string;
}

/** The routes by their key: the first two segments of their path while written as text ('*' when the first is not). */
type RouteTable = Map<string, DeclaredRoute[]>;

const READERS: Array<(index: SourceIndex) => DeclaredRoute[]> = [expressRoutes, nestRoutes, djangoRoutes, railsRoutes, flaskRoutes, springRoutes];


/**
 * The handler of `method` `path`: the path as requested (`/users/42`) or as the agent normalised
 * it (`/users/{id}`, `/users/:id`), if one handler is certain.
 */
export function routeHandler(index: SourceIndex, method: string, path: string): RouteHandler | undefined {
  const m = method.toLowerCase();
  // Every framework here serves HEAD with the GET route when no route is declared for HEAD.
  return handlerOf(index, m, path) ?? (m === 'head' ? handlerOf(index, 'get', path) : undefined);
}

function handlerOf(index: SourceIndex, m: string, path: string): RouteHandler | undefined {
  const table = routeTable(index);
  const requested = requestedSegments(path.startsWith('/') ? path : `/${path}`);
  const matches: DeclaredRoute[] = [];
  for (const key of keysOf(requested)) {
    for (const r of table.get(key) ?? []) {
      countWork();
      if ((r.method !== m && r.method !== 'all') || !r.pattern.test(requested)) continue;
      matches.push(r);
    }
  }
  // Per family, the route that serves the request: the first declared, or the most specific (a
  // route for the method before one for all methods).
  const served = new Map<string, DeclaredRoute[]>();
  for (const r of matches) {
    const best = served.get(r.family);
    if (!best) served.set(r.family, [r]);
    else {
      const exact = (x: DeclaredRoute) => (x.method === m ? 1 : 0);
      const order = (r.firstMatch ? best[0].order - r.order : r.specificity - best[0].specificity) || exact(r) - exact(best[0]);
      if (order > 0) served.set(r.family, [r]);
      else if (order === 0) best.push(r);
    }
  }
  let found: DeclaredRoute | undefined;
  for (const list of served.values()) {
    for (const r of list) {
      if (found && !sameHandler(found, r)) return undefined; // two handlers: not certain
      found ??= r;
    }
  }
  return found && { ...found.handler, route: found.route };
}

function sameHandler(a: DeclaredRoute, b: DeclaredRoute): boolean {
  return a.handler.path === b.handler.path && a.handler.fromLine === b.handler.fromLine && a.handler.toLine === b.handler.toLine;
}

/** The routes of every reader, derived once per generation of the source index. */
function routeTable(index: SourceIndex): RouteTable {
  return index.derive('placement.routes', () => {
    const routes: RouteTable = new Map();
    if (index.parsers) {
      for (const read of READERS) {
        for (const r of read(index)) {
          countWork();
          const list = routes.get(r.key);
          if (list) list.push(r);
          else routes.set(r.key, [r]);
        }
      }
    }
    return routes;
  });
}
