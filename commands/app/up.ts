import { Flags } from '@oclif/core'
import Docker from 'dockerode'
import { BaseCommand } from '../../src/base-command.js'
import { demoUp, type DemoInstance } from '../../src/registrator/demo-app.js'

/** AppUp runs N demo replicas on 127.0.0.1:5727, 5728, … labelled for registrator. */
export default class AppUp extends BaseCommand<typeof AppUp> {
  static override summary = 'Run the demo web API replicas (host ports 5727, 5728, …) with SERVICE_CHECK_HTTP labels.'
  static override examples = ['<%= config.bin %> app up', '<%= config.bin %> app up --replicas 3']
  static override flags = {
    replicas: Flags.integer({ description: 'How many instances.', default: 2, min: 1, max: 50 }),
    image: Flags.string({ description: 'Image to run.', default: 'webapidemo:latest' }),
    'host-ip': Flags.string({ description: 'Host address to publish on (0.0.0.0 lets agents running in containers reach the health check).', default: '127.0.0.1' }),
    label: Flags.string({ description: 'Extra container label k=v (repeatable).', multiple: true }),
  }

  async run(): Promise<{ instances: DemoInstance[] }> {
    const labels: Record<string, string> = {}
    for (const pair of this.flags.label ?? []) {
      const eq = pair.indexOf('=')
      if (eq <= 0) this.fail('ZX_ERR_USAGE', `--label wants key=value, got ${JSON.stringify(pair)}`)
      labels[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    const instances = await demoUp(new Docker(), {
      replicas: this.flags.replicas, image: this.flags.image, hostIp: this.flags['host-ip'], labels, log: (line) => this.say(line),
    })
    for (const instance of instances) this.say(`${instance.name} ${instance.url}`)
    return { instances }
  }
}
