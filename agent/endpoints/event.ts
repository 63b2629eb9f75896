/**
 * agent/endpoints/event.ts: /v1/event/fire/<name> and /v1/event/list. Firing hands the event to
 * LAN gossip (GossipPool.fireUserEvent), which spreads it to every agent; each agent keeps the
 * events whose filters select it (agent/local/events.ts). The list blocks on a hash of the newest
 * event's ID, so `?index=` wakes when a new event arrives on this agent.
 */
import { ZxError } from '../errors.js'
import { badRequest, parseQueryOptions } from '../http/query.js'
import { Reply, route, type Route } from '../http/route.js'
import { catalogAgentOf } from '../local/agent.js'
import { eventJsonOf } from '../local/events.js'
import { pathName } from './catalog-common.js'

/** userEventPayloadBytesMax is serf's user event size limit (Consul: 512 bytes). */
export const userEventPayloadBytesMax = 512

function checkRegex(value: string, what: string): void {
  if (value === '') return
  try { new RegExp(value) } catch { throw badRequest(`Invalid ${what} filter: ${JSON.stringify(value)}`) }
}

/** eventRoutes serve /v1/event/*. */
export const eventRoutes: Route[] = [
  route('/v1/event/fire/', ['PUT'], async (req, ctx) => {
    const name = pathName(req, 'event')
    if (name.startsWith('_')) throw badRequest('Event name must not begin with an underscore')
    const nodeFilter = req.query.get('node') ?? ''
    const serviceFilter = req.query.get('service') ?? ''
    const tagFilter = req.query.get('tag') ?? ''
    if (tagFilter !== '' && serviceFilter === '') throw badRequest('Cannot provide tag filter without service filter')
    checkRegex(nodeFilter, 'node'); checkRegex(serviceFilter, 'service'); checkRegex(tagFilter, 'tag')
    const payload = await req.body(64 * 1024)
    if (payload.length > userEventPayloadBytesMax) {
      throw new ZxError('ZX_ERR_TOO_LARGE', `user event exceeds limit of ${userEventPayloadBytesMax} bytes`, { status: 413 })
    }
    if (ctx.lan === undefined) throw new ZxError('ZX_ERR_INTERNAL', 'gossip is not running', { status: 500 })
    const agent = await catalogAgentOf(ctx)
    const event = ctx.lan.fireUserEvent({ name, payload: payload.length > 0 ? new Uint8Array(payload) : undefined, nodeFilter, serviceFilter, tagFilter })
    agent.events.add(event)
    return eventJsonOf(event)
  }),
  route('/v1/event/list', ['GET'], async (req, ctx) => {
    const agent = await catalogAgentOf(ctx)
    const name = req.query.get('name') ?? ''
    const query = parseQueryOptions(req.query)
    let listed = agent.events.list(name)
    if (query.minIndex > 0) {
      const deadline = Date.now() + query.waitMs
      while (listed.index === query.minIndex && Date.now() < deadline && !req.signal.aborted) {
        await agent.events.waitNew(deadline - Date.now(), req.signal)
        listed = agent.events.list(name)
      }
    }
    return new Reply(listed.events.map(eventJsonOf), { headers: { 'X-Consul-Index': String(listed.index) } })
  }),
]
