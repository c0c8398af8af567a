// What every framework's route reader hands the route table (routes.ts): a declared route, its
// method, its full path (prefixes joined) turned into one pattern, and its handler's lines; and the
// path syntaxes the frameworks write (`:id`, `{id}`, `<int:pk>`, `*`, Rails' `(.:format)`).

/** The lines of a route's handler: the function, the method, or the class that serves it. */
export interface HandlerLines {
  path: string;
  fromLine: number;
  toLine: number;
}

/** A route as one framework declares it, all its prefixes joined. */
export interface DeclaredRoute {
  /** Lower-case HTTP method, or 'all' (Express's `all`, a Django view, `@RequestMapping` without method). */
  method: string;
  /** The pattern over the whole requested path (`^/users/([^/]+)/?$`), from `patternOf` or written by the reader. */
  pattern: RegExp;
  /** How specific the path is: 2 per segment written as text, 1 per parameter of a type (`<int:id>`). */
  specificity: number;
  /** The table's key: the path's first two segments while written as text (`api/users` of `/api/users/:id`, `api` of `/api/:id`), else '*'. */
  key: string;
  handler: HandlerLines;
  /** `GET /api/users/:id`, the route as written, with its prefixes. */
  route: string;
  /**
   * The routes of one family are tried in the order they were declared (`order`) and the first
   * that matches serves the request (Express's router, Rails' routes.rb, Django's urlpatterns), or,
   * when `firstMatch` is false, the most specific one (Spring, Flask, Fastify). Across families
   * no order is known: two of them matching is no certainty.
   */
  family: string;
  firstMatch: boolean;
  order: number;
}

/** What a requested path holds in place of a parameter when it is a normalized one (`/users/{id}`). */
export const PLACEHOLDER = '\u0001';

/** A segment of a normalized path that names a parameter: `{id}`, `:id`, `<pk>`, `<int:pk>`. */
const PARAMETER_SEGMENT = /^(\{[^/{}]*\}|:[A-Za-z_]\w*|<(?:\w+:)?\w+>)$/;

/** The requested path with each parameter of a normalized path made the placeholder. */
export function requestedSegments(path: string): string {
  return path
    .split('/')
    .map((s) => (PARAMETER_SEGMENT.test(s) ? PLACEHOLDER : s))
    .join('/');
}

const CONVERTERS: Record<string, string> = {
  int: '[0-9]+',
  slug: '[-a-zA-Z0-9_]+',
  uuid: '[0-9a-fA-F-]+',
  float: '[0-9.]+',
};

/** A parameter's pattern: its converter's, or any segment; a placeholder matches every parameter. */
function parameter(converter: string | undefined): string {
  const own = converter ? CONVERTERS[converter] : undefined;
  return own ? `(?:${own}|${PLACEHOLDER})` : '[^/]+';
}

/**
 * The pattern of a path template in any of the frameworks' syntaxes: `:id` (Express, Koa,
 * Fastify, Nest, Rails), `{id}` and `{id:regex}` (Spring, FastAPI), `<pk>` and `<int:pk>` (Flask,
 * Django's `path()`), `*` and `*rest` (globs), `{path:path}`/`<path:p>` (the rest of the path), and
 * Rails' optional `(.:format)`. A trailing slash is optional unless `strictSlash`.
 */
export function patternOf(template: string, strictSlash = false): { pattern: RegExp; specificity: number; key: string } {
  let format = false;
  const text = template.replace(/\(\.:format\)$/, () => {
    format = true;
    return '';
  });
  const trailing = text.length > 1 && text.endsWith('/');
  let specificity = 0;
  const leading: string[] = [];
  let literal = true;
  const segments = text
    .split('/')
    .filter((s, i, all) => s !== '' || i === 0 || i === all.length - 1)
    .map((segment) => {
      if (segment === '') return '';
      let m: RegExpExecArray | null;
      if (segment === '*' || /^\*\w+$/.test(segment) || /^\{\*\w*\}$/.test(segment) || /^<path:\w+>$/.test(segment) || /^\{\w+:(path|\.\*|\.\+)\}$/.test(segment)) {
        literal = false;
        return '.*';
      }
      if ((m = /^:(\w+)\??$/.exec(segment)) || (m = /^\{(\w+)(?::[^}]*)?\}$/.exec(segment))) {
        literal = false;
        return parameter(undefined);
      }
      if ((m = /^<(?:(\w+):)?\w+>$/.exec(segment))) {
        literal = false;
        if (m[1] && m[1] in CONVERTERS) specificity++;
        return parameter(m[1]);
      }
      specificity += 2;
      if (literal && leading.length < 2 && /^[\w-]+$/.test(segment)) leading.push(segment);
      else literal = false;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  let source = segments.join('/').replace(/\/+$/, '');
  if (!source.startsWith('/')) source = `/${source}`;
  if (source === '/') source = '';
  const end = format ? '(?:\\.\\w+)?' : '';
  const slash = strictSlash ? (trailing ? '/' : '') : '/?';
  return { pattern: new RegExp(`^${source}${end}${slash}$`), specificity, key: leading.length ? leading.join('/') : text.replace(/\/+$/, '') === '' ? '' : '*' };
}

/** `/prefix` + `path`, one slash between, none at the end (but `/` alone). */
export function joinPath(prefix: string, path: string): string {
  const joined = `/${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/**
 * The keys under which the table holds the routes that may serve `requested` (placeholders
 * made): its first two segments, its first, Rails' `.json` taken off either, and '*'.
 */
export function keysOf(requested: string): string[] {
  const [, first = '', second] = requested.split('/');
  const stem = (s: string) => (s.includes('.') ? s.slice(0, s.indexOf('.')) : s);
  const keys = new Set<string>([first, stem(first), '*']);
  if (second !== undefined) {
    keys.add(`${first}/${second}`);
    keys.add(`${first}/${stem(second)}`);
  }
  return [...keys];
}
