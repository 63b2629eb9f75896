/**
 * src/registrator/defaults.ts: every default of the registrator and the demo app, with its reason.
 */

/** registratorDefaults mirror gliderlabs/registrator's flags. */
export const registratorDefaults = {
  agentAddress: 'http://127.0.0.1:8500',  // registrator's default consul://localhost:8500
  deregister: 'always' as const,          // registrator removes on every die unless told on-success
  resyncSeconds: 0,                       // 0 = never, like registrator
  retryAttempts: 0,                       // registrator pings once unless asked to retry (-1 = forever)
  retryIntervalMs: 2_000,                 // registrator's -retry-interval default
  checkInterval: '10s',                   // registrator's default for HTTP/TCP checks
  requestTimeoutMs: 5_000,                // one agent call; an agent slower than this counts as down
  eventBackoffMs: 1_000,                  // wait before re-subscribing after the event stream drops
  eventBackoffMsMax: 10_000,              // cap the backoff so recovery stays prompt
  syncConcurrency: 32,                    // parallel inspects/registrations during a sync (dockerd answers inspects concurrently)
} as const

/** demoDefaults size the demo web API replica set (seed: host ports 5727, 5728). */
export const demoDefaults = {
  image: 'webapidemo:latest',
  officialBase: 'node:20-slim',           // used when the engine already has it (registry or preload)
  containerPrefix: 'webapidemo-',         // webapidemo-1, webapidemo-2, …
  containerPort: 8080,                    // non-root node user cannot bind 80
  portBase: 5726,                         // replica i publishes 127.0.0.1:(5726+i), so 5727, 5728, …
  replicas: 2,                            // the seed's two instances
  replicasMax: 50,                        // keeps the port block inside 5727…5776
  checkInterval: '2s',                    // quick to turn passing in a lab
  appLabel: 'zx.app',
  indexLabel: 'zx.app.index',
} as const
