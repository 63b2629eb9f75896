import { writeFile } from 'node:fs/promises'
import { Command, Flags } from '@oclif/core'
import { measureSpread, type SpreadRow } from '../../agent/gossip/sim/spread.js'
import { spreadSvg, spreadTable } from '../../agent/gossip/sim/report.js'

/**
 * SimGossip measures how many gossip rounds a rumor takes to reach every node, on the real SWIM
 * core over a simulated network, and checks the seed's log_fanout(N) table against it.
 */
export default class SimGossip extends Command {
  static override summary = 'Measure gossip rounds to full spread vs log_fanout(N) on the real SWIM core.'
  static override description = 'A round is one gossip interval. Each N runs without loss and with --loss; nodes forward at their own random phase, so a rumor can take more than one hop per round.'
  static override examples = [
    '<%= config.bin %> sim gossip --fanout 4 --nodes 20,40,80,160,320',
    '<%= config.bin %> sim gossip --fanout 4 --nodes 20,40,80,160,320 --loss 0.1 --runs 50 --json',
    '<%= config.bin %> sim gossip --svg spread.svg',
  ]
  static override enableJsonFlag = true
  static override flags = {
    fanout: Flags.integer({ description: 'Peers each node gossips to per round.', default: 4, min: 1, max: 64 }),
    nodes: Flags.string({ description: 'Comma-separated cluster sizes.', default: '20,40,80,160,320' }),
    loss: Flags.string({ description: 'Packet loss rate for the second row of each N (0 to 0.9).', default: '0.1' }),
    runs: Flags.integer({ description: 'Rumors measured per cell.', default: 50, min: 1, max: 10_000 }),
    seed: Flags.integer({ description: 'Seed of the simulation (same seed, same numbers).', default: 1 }),
    svg: Flags.string({ description: 'Write a plot of rounds vs N to this file.' }),
  }

  async run(): Promise<Array<Pick<SpreadRow, 'nodes' | 'fanout' | 'loss' | 'formula' | 'meanRounds' | 'p99Rounds'> & { complete: number }>> {
    const { flags } = await this.parse(SimGossip)
    const sizes = flags.nodes.split(',').map((s) => Number(s.trim()))
    if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 5_000)) this.error('--nodes must be integers between 2 and 5000', { exit: 2 })
    const loss = Number(flags.loss)
    if (!Number.isFinite(loss) || loss < 0 || loss > 0.9) this.error('--loss must be between 0 and 0.9', { exit: 2 })
    const rows: SpreadRow[] = []
    for (const nodes of sizes) {
      for (const l of loss > 0 ? [0, loss] : [0]) {
        rows.push(measureSpread({ nodes, fanout: flags.fanout, loss: l, runs: flags.runs, seed: flags.seed + nodes }))
      }
    }
    if (!this.jsonEnabled()) {
      this.log(spreadTable(rows))
      this.log(`\nrounds = time to full spread / gossip interval; ${flags.runs} runs per row; seed ${flags.seed}`)
    }
    if (flags.svg !== undefined) {
      await writeFile(flags.svg, spreadSvg(rows))
      if (!this.jsonEnabled()) this.log(`plot written to ${flags.svg}`)
    }
    return rows.map((r) => ({
      nodes: r.nodes, fanout: r.fanout, loss: r.loss, formula: round2(r.formula),
      meanRounds: round2(r.meanRounds), p99Rounds: round2(r.p99Rounds), complete: r.complete,
    }))
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
