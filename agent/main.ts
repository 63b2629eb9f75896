/**
 * agent/main.ts: `zx agent` entry. Parses the Consul-style flags into a frozen runtime config,
 * starts the agent and runs it until a signal ends it: SIGTERM leaves gracefully when
 * leave_on_terminate is set (clients by default), SIGINT unless skip_leave_on_interrupt is set
 * (servers skip by default); otherwise the agent just stops. Returns the process exit code.
 */
import { writeFileSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, type Logger } from './agent-log.js'
import { Agent } from './agent.js'
import { loadRuntimeConfig } from './config/build.js'
import type { RuntimeConfig } from './config/types.js'
import { isZxError } from './errors.js'
import { GossipPool } from './gossip/pool.js'

/** runAgent runs an agent from argv and resolves with the exit code. */
export async function runAgent(argv: string[]): Promise<number> {
  let config: RuntimeConfig
  try {
    config = loadRuntimeConfig(argv)
  } catch (error) {
    process.stderr.write(`==> ${(error as Error).message}\n`)
    return 1
  }
  const log = createLogger(config.logLevel, 'agent')
  // A background promise that fails (a lost RPC, a closed socket) is an operating error: log it
  // rather than let Node end the agent. Synchronous exceptions still crash loudly (our bugs).
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: (reason as Error)?.stack ?? String(reason) }))
  let agent: Agent
  try {
    mkdirSync(config.dataDir, { recursive: true })
    agent = await Agent.start(config, { startGossip: (options) => GossipPool.start(options) }, log)
  } catch (error) {
    process.stderr.write(`==> Error starting agent: ${isZxError(error) ? error.message : (error as Error)?.stack ?? String(error)}\n`)
    return 1
  }
  if (config.pidFile !== undefined) writeFileSync(config.pidFile, `${process.pid}\n`)
  process.stdout.write(startBanner(config, agent))
  const unhook = handleSignals(agent, config, log)
  const code = await agent.done
  unhook()
  if (config.pidFile !== undefined) rmSync(config.pidFile, { force: true })
  // -dev without -data-dir is Consul's in-memory agent: do not leave its scratch dir behind.
  if (config.dev && config.dataDir === join(tmpdir(), `zx-dev-${process.pid}`)) rmSync(config.dataDir, { recursive: true, force: true })
  // Everything is closed; should a stray handle keep the process alive, leave anyway.
  setTimeout(() => process.exit(code), 2_000).unref()
  return code
}

function handleSignals(agent: Agent, config: RuntimeConfig, log: Logger): () => void {
  let signals = 0
  const on = (signal: 'SIGTERM' | 'SIGINT'): void => {
    signals++
    if (signals > 1) { log.warn('second signal received, exiting now'); process.exit(1) }
    const leave = signal === 'SIGTERM' ? config.leaveOnTerminate : !config.skipLeaveOnInterrupt
    log.info(`caught signal: ${signal}`, { leave })
    void (leave ? agent.leave() : agent.shutdown())
  }
  const term = (): void => on('SIGTERM')
  const int = (): void => on('SIGINT')
  process.on('SIGTERM', term)
  process.on('SIGINT', int)
  return () => { process.off('SIGTERM', term); process.off('SIGINT', int) }
}

function startBanner(config: RuntimeConfig, agent: Agent): string {
  return [
    '==> zx agent running!',
    `           Node name: '${config.nodeName}'`,
    `          Datacenter: '${config.datacenter}'`,
    `              Server: ${config.server} (Bootstrap: ${config.bootstrap}, Expect: ${config.bootstrapExpect})`,
    `             Node ID: '${agent.ctx.nodeId}'`,
    `        Client Addr: [${config.clientAddrs.join(' ')}] (HTTP: ${config.ports.http}, DNS: ${config.ports.dns})`,
    `        Cluster Addr: ${config.advertiseAddr} (LAN: ${config.ports.serfLan}, WAN: ${config.ports.serfWan})`,
    '',
    '==> Log data will now stream in as it occurs:',
    '',
  ].join('\n') + '\n'
}
