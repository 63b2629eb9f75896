/**
 * test/bench/dns/micro.ts: CPU cost of the socket-free DNS handler (decode → lookup → answer →
 * encode) over an in-memory 5,000-instance catalog, cycling the bench's four names; prints
 * µs/query for five runs of 20,000 after a warm-up. Build with esbuild like run.sh.
 */
import * as packet from 'dns-packet'
import { performance } from 'node:perf_hooks'
import { LocalDnsBackend } from '../../../agent/dns/backend.js'
import { createDnsHandler } from '../../../agent/dns/server.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
const catalog = new CatalogTables(new TableIndexes())
let index = 0
for (let i = 1; i <= 4; i++) catalog.applyRegister(++index, normalizeRegister({ Node: `node${i}`, Address: `127.0.0.${i}`, Check: { CheckID: 'serfHealth', Status: 'passing' } }, { datacenter: 'dc1' }))
for (let n = 0; n < 5000; n++) {
  const name = n < 20 ? 'web' : `svc-${n % 100}`
  catalog.applyRegister(++index, normalizeRegister({ Node: `node${1 + (n % 4)}`, Address: `127.0.0.${1 + (n % 4)}`, Service: { ID: `${name}-${n}`, Service: name, Port: 10_000 + n } }, { datacenter: 'dc1' }))
}
const handler = createDnsHandler({ backend: new LocalDnsBackend(catalog), datacenter: 'dc1' })
const qs = [['web.service.consul','A'],['svc-7.service.consul','SRV'],['node1.node.consul','A'],['_svc-8._tcp.service.consul','SRV']].map(([name,type]) => packet.encode({ type: 'query', id: 7, flags: packet.RECURSION_DESIRED, questions: [{ name: name!, type: type as 'A' }] }))
async function run(n: number) { const t = performance.now(); for (let i = 0; i < n; i++) await handler.handle(qs[i % 4]!, false); return (performance.now() - t) * 1000 / n }
await run(20000)
const r = []; for (let k = 0; k < 5; k++) r.push(await run(20000))
console.log('us/query', r.map((x) => x.toFixed(1)).join(' '))
