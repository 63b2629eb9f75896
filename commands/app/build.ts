import { Flags } from '@oclif/core'
import Docker from 'dockerode'
import { BaseCommand } from '../../src/base-command.js'
import { buildDemoImage } from '../../src/registrator/demo-app.js'

/** AppBuild builds the demo web API image (templates/demo), offline if need be. */
export default class AppBuild extends BaseCommand<typeof AppBuild> {
  static override summary = 'Build the demo web API image (bundled with esbuild; offline base image when no node image is at hand).'
  static override examples = ['<%= config.bin %> app build', '<%= config.bin %> app build --base node:20-slim']
  static override flags = {
    tag: Flags.string({ description: 'Image tag.', default: 'webapidemo:latest' }),
    base: Flags.string({ description: 'Base image (default: node:20-slim if present, else zx-node-base:<node version>).' }),
  }

  async run(): Promise<{ image: string }> {
    const docker = new Docker()
    const image = await this.spin('building the demo image', () =>
      buildDemoImage(docker, { tag: this.flags.tag, base: this.flags.base, log: (line) => this.say(line) }))
    return { image }
  }
}
