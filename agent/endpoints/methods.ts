/**
 * agent/endpoints/methods.ts: every server RPC method, assembled from per-area tables. Adding an
 * area is an import and one line in `methodAreas`; the agent registers all of them on its
 * RpcRouter and (servers) on the RpcServer.
 */
import { kvMethods } from './kv.js'
import { txnMethods } from './txn.js'
import { sessionMethods } from './session.js'
import { statusMethods } from './status.js'
import { operatorMethods } from './operator.js'
import { catalogMethods } from './catalog.js'
import { healthMethods } from './health.js'
import type { ServerMethod } from './router.js'

/** methodAreas lists every area's server methods; append new areas here. */
export const methodAreas: Record<string, ServerMethod>[] = [
  kvMethods,
  txnMethods,
  sessionMethods,
  statusMethods,
  operatorMethods,
  catalogMethods,
  healthMethods,
]
