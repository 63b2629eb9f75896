// Goal (issue 6 acceptance, real agent): the scenario of scenario.ts holds against a real
// single-server `zx agent -dev`: its catalog shows the registrator's services, its own HTTP
// checks turn the demo instances passing, deregistrations and --cleanup reach its catalog.
// Method: spawn `node bin/run.js agent -dev` on 127.0.0.1:26800-26804 (built by
// `npm run test:e2e`), wait for a leader, run the scenario, kill the agent.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupScenario, prepareScenario, runScenario } from './scenario.js'

const httpPort = 26800
const dataDir = mkdtempSync(join(tmpdir(), 'zx-e2e-registrator-agent-'))
let agent: ChildProcess | undefined
const agentLog: string[] = []

async function waitForLeader(): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/v1/status/leader`, { signal: AbortSignal.timeout(2_000) })
      if (response.ok && (await response.json()) !== '') return
    } catch { /* not up yet */ }
    if (agent?.exitCode !== null || Date.now() > deadline) throw new Error(`zx agent -dev did not elect itself:\n${agentLog.join('')}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe('zx registrator against a real zx agent', () => {
  beforeAll(async () => {
    agent = spawn(process.execPath, [
      'bin/run.js', 'agent', '-dev', '-node', 'registrator-e2e', '-bind', '127.0.0.1', '-client', '127.0.0.1',
      '-http-port', String(httpPort), '-dns-port', '26801', '-server-port', '26802', '-serf-lan-port', '26803', '-serf-wan-port', '26804',
      '-data-dir', dataDir,
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    agent.stdout!.on('data', (chunk: Buffer) => agentLog.push(chunk.toString()))
    agent.stderr!.on('data', (chunk: Buffer) => agentLog.push(chunk.toString()))
    await waitForLeader()
    await prepareScenario(`http://127.0.0.1:${httpPort}`)
  })

  afterAll(async () => {
    await cleanupScenario()
    if (agent !== undefined && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent!.once('exit', resolve))
      agent.kill('SIGKILL')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('registers, ignores, names multi-port services, deregisters, and converges after a restart', runScenario)

  // Issue 6: `dig … <service>.service.consul SRV` lists both demo instances with their
  // published ports (real dig from dnsutils against the agent's DNS port).
  it('lists both demo instances over DNS SRV with their published ports', async () => {
    const deadline = Date.now() + 20_000
    let answer: string[] = []
    while (Date.now() < deadline) {
      answer = execFileSync('dig', ['+short', '@127.0.0.1', '-p', '26801', 'zx-demo-e2e.service.consul', 'SRV'], { encoding: 'utf8', timeout: 5_000 })
        .split('\n').filter((line) => line.trim() !== '')
      if (answer.length === 2) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(answer.map((line) => line.split(' ')[2]).sort()).toEqual(['5727', '5728'])
  })
})
