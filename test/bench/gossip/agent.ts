// A gossip-only agent for the benchmark: one GossipPool on 127.0.0.1, member events printed as
// JSON lines with wall-clock ms; stdin commands `join host:port`; SIGINT leaves gracefully,
// then exits. Usage: node agent.mjs <name> <port> <profile>  (ZX_BENCH_COLD=1 skips the warm-up)
import { createInterface } from 'node:readline'
import { GossipPool } from '../../../agent/gossip/pool.js'
import type { GossipProfile } from '../../../agent/gossip/defaults.js'

const [name = 'a', port = '0', profile = 'lan'] = process.argv.slice(2)
const pool = await GossipPool.start({
  name, bindAddr: '127.0.0.1', bindPort: Number(port), tags: { role: 'node' }, profile: profile as GossipProfile,
  log: { info: () => undefined, warn: () => undefined },
})
const say = (o: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify({ t: Date.now(), ...o })}\n`) }
// Warm-up: one push-pull with ourselves compiles the codec and TCP paths before the clock starts,
// as for an agent that has been up a while. Without it, 40 cold Node processes spend their first
// join compiling JavaScript on 2 shared cores (see RESULTS.md for the cold figure).
if (process.env.ZX_BENCH_COLD !== '1') await pool.join([`127.0.0.1:${pool.port}`])
pool.onMemberEvent((e) => say({ ev: e.type, who: e.member.name }))
say({ ev: 'ready', who: name })
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(' ')
  if (cmd === 'join' && arg !== undefined) void pool.join([arg]).then((n) => say({ ev: 'joined', n }))
  if (cmd === 'rss') say({ ev: 'rss', bytes: process.memoryUsage().rss })
})
process.on('SIGINT', () => {
  void pool.leave(5_000).then(() => pool.close()).then(() => process.exit(0))
})
