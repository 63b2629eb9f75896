#!/usr/bin/env node
// zx agent without the CLI framework, for the lab's local processes: `zx cluster up` starts all
// nodes at once on the same machine, and skipping oclif saves each of them ~0.3 s of CPU before
// the agent even loads. Same argv as `zx agent …` (a leading `agent` is optional).
import { runAgent } from '../dist/agent/main.js'

const argv = process.argv.slice(2)
process.exit(await runAgent(argv[0] === 'agent' ? argv.slice(1) : argv))
