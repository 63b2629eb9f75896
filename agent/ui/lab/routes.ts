/**
 * agent/ui/lab/routes.ts: the UI's URL scheme, Consul's: /ui/<dc>/services[/<name>],
 * /ui/<dc>/nodes[/<name>], /ui/<dc>/kv/<path> (a trailing slash is a folder),
 * /ui/<dc>/raft and /ui/<dc>/gossip. parseRoute and routePath are inverses, so links,
 * refreshes and the back button all agree. Pure: the app and tests call it.
 */
import { assertNever } from '../../errors.js'

/** Route is one screen of the UI. */
export type Route =
  | { view: 'root' }
  | { view: 'services'; dc: string }
  | { view: 'service'; dc: string; name: string }
  | { view: 'nodes'; dc: string }
  | { view: 'node'; dc: string; name: string }
  | { view: 'kv'; dc: string; path: string }
  | { view: 'raft'; dc: string }
  | { view: 'gossip'; dc: string }
  | { view: 'notfound'; dc: string | undefined; path: string }

/** RouteView is the name of a screen. */
export type RouteView = Route['view']

/** parseRoute maps a location pathname to its Route. */
export function parseRoute(pathname: string): Route {
  const rest = pathname.replace(/^\/ui\/?/, '')
  if (rest === '') return { view: 'root' }
  const slash = rest.indexOf('/')
  const dc = safeDecode(slash < 0 ? rest : rest.slice(0, slash))
  const tail = slash < 0 ? '' : rest.slice(slash + 1)
  const [section = '', ...more] = tail.split('/')
  const arg = more.join('/')
  switch (section) {
    case '':
    case 'services':
      return arg === '' ? { view: 'services', dc } : { view: 'service', dc, name: safeDecode(arg.replace(/\/$/, '')) }
    case 'nodes':
      return arg === '' ? { view: 'nodes', dc } : { view: 'node', dc, name: safeDecode(arg.replace(/\/$/, '')) }
    case 'kv':
      return { view: 'kv', dc, path: arg.split('/').map(safeDecode).join('/') }
    case 'raft':
      return { view: 'raft', dc }
    case 'gossip':
      return { view: 'gossip', dc }
    default:
      return { view: 'notfound', dc, path: pathname }
  }
}

/** routePath builds the pathname of a Route. */
export function routePath(route: Route): string {
  switch (route.view) {
    case 'root': return '/ui/'
    case 'services': return `/ui/${enc(route.dc)}/services`
    case 'service': return `/ui/${enc(route.dc)}/services/${enc(route.name)}`
    case 'nodes': return `/ui/${enc(route.dc)}/nodes`
    case 'node': return `/ui/${enc(route.dc)}/nodes/${enc(route.name)}`
    case 'kv': return `/ui/${enc(route.dc)}/kv/${route.path.split('/').map(enc).join('/')}`
    case 'raft': return `/ui/${enc(route.dc)}/raft`
    case 'gossip': return `/ui/${enc(route.dc)}/gossip`
    case 'notfound': return route.path
    default: return assertNever(route)
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment)
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
