/**
 * src/cluster/prompt.ts: the interactive question `cluster up` asks when run in a TTY with no
 * flags. Never called without a TTY or with flags, so scripts never block on it.
 */
import inquirer from 'inquirer'

/** askShape asks how many servers and clients to run. */
export async function askShape(): Promise<{ servers: number; clients: number }> {
  const answers = await inquirer.prompt<{ servers: number; clients: number }>([
    { type: 'number', name: 'servers', message: 'How many servers?', default: 3, validate: (v: number | undefined) => (v !== undefined && v >= 1 && v <= 9) || 'between 1 and 9' },
    { type: 'number', name: 'clients', message: 'How many clients?', default: 1, validate: (v: number | undefined) => (v !== undefined && v >= 0 && v <= 9) || 'between 0 and 9' },
  ])
  return { servers: answers.servers, clients: answers.clients }
}
