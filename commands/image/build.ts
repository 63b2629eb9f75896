import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import type { BuildResult } from '../../src/image/build.js'
import { dockerAnswers } from '../../src/runtime/select.js'

/** ImageBuild builds the agent image from templates/Dockerfile. */
export default class ImageBuild extends BaseCommand<typeof ImageBuild> {
  static override summary = 'Build the zx agent image (esbuild bundle, non-root, consul-style entrypoint).'
  static override description = 'Offline (the default) the image starts from a base imported from this host\'s node binary; with registry access pass --base node:20-slim. The image is tagged zx-agent:<content hash> and zx-agent:latest, and is rebuilt only when the agent changed.'
  static override examples = ['<%= config.bin %> image build', '<%= config.bin %> image build --base node:20-slim', '<%= config.bin %> image build --force']
  static override flags = {
    base: Flags.string({ description: 'Base image with node (default: the offline base built from this host).' }),
    force: Flags.boolean({ description: 'Rebuild even when the content hash matches.' }),
  }

  async run(): Promise<BuildResult> {
    if (!(await dockerAnswers())) this.fail('ZX_ERR_NO_DOCKER', 'no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); the image needs one')
    const [{ default: Docker }, { buildAgentImage }] = await Promise.all([import('dockerode'), import('../../src/image/build.js')])
    const docker = new Docker()
    const result = await this.spin('building the agent image', (update) =>
      buildAgentImage(docker, { base: this.flags.base, force: this.flags.force, log: (line) => { update(line); if (process.stderr.isTTY !== true) this.logToStderr(line) } }))
    this.say(result.built ? `Built ${result.ref}` : `Up to date: ${result.ref}`)
    return result
  }
}
