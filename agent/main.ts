/**
 * agent/main.ts: `zx agent` entry. Parses the Consul-style flags into a frozen runtime config
 * and runs the agent until a signal ends it; returns the process exit code.
 */
export async function runAgent(argv: string[]): Promise<number> {
  process.stderr.write(`zx agent: not built yet (args: ${argv.join(' ')})\n`)
  return 1
}
