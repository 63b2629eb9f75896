/**
 * agent/http/routes.ts: the one route table of the HTTP API, assembled from per-area arrays.
 * Adding an area is an import and one line in `routeAreas` (catalog, health, agent services,
 * events and the UI plug in here the same way as kv or session).
 */
import type { AgentContext } from '../endpoints/context.js'
import { kvRoutes } from '../endpoints/kv.js'
import { txnRoutes } from '../endpoints/txn.js'
import { sessionRoutes } from '../endpoints/session.js'
import { statusRoutes } from '../endpoints/status.js'
import { operatorRoutes } from '../endpoints/operator.js'
import { agentRoutes } from '../endpoints/agent.js'
import { uiRouteArea } from '../ui/routes.js'
import { catalogRoutes } from '../endpoints/catalog.js'
import { healthRoutes } from '../endpoints/health.js'
import { agentServiceRoutes } from '../endpoints/agent-service.js'
import { agentCheckRoutes } from '../endpoints/agent-check.js'
import { eventRoutes } from '../endpoints/event.js'
import { RouteTable, type RouteArea } from './route.js'

/** routeAreas lists every area's routes; append new areas here. */
export const routeAreas: RouteArea[] = [
  kvRoutes,
  txnRoutes,
  sessionRoutes,
  statusRoutes,
  operatorRoutes,
  agentRoutes,
  uiRouteArea,
  catalogRoutes,
  healthRoutes,
  agentServiceRoutes,
  agentCheckRoutes,
  eventRoutes,
]

/** buildRouteTable resolves every area against the running agent. */
export function buildRouteTable(ctx: AgentContext, areas: readonly RouteArea[] = routeAreas): RouteTable {
  return new RouteTable(areas.flatMap((area) => (typeof area === 'function' ? area(ctx) : area)))
}
