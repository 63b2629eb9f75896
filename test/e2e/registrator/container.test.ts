// Goal: the registrator also runs as a container built offline (bundled entry on the base
// image, --net=host, Docker socket mounted) and registers/deregisters like the CLI.
// Method: build the image, start it against the recording FakeAgent on 127.0.0.1:26601, run and
// remove a container publishing one port, watch the agent. Everything is labelled zx.test=1.
import Docker from 'dockerode'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureBaseImage } from '../../../src/image/base.js'
import { buildRegistratorImage, runRegistratorContainer } from '../../../src/registrator/image.js'
import { removeTestContainers, testLabel } from './docker-helpers.js'
import { FakeAgent } from './fake-agent.js'

const docker = new Docker()
const image = 'zx-registrator-e2e:latest'
const fake = new FakeAgent()

async function eventually(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) {
      const logs = await docker.getContainer('zx-e2e-registrator').logs({ stdout: true, stderr: true }).catch(() => '')
      throw new Error(`timed out: ${what}\n${String(logs)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('registrator container', () => {
  afterAll(async () => {
    await removeTestContainers(docker)
    await docker.getImage(image).remove({ force: true }).catch(() => {})
    await fake.close()
  })

  it('registers and deregisters from inside a container', async () => {
    await removeTestContainers(docker)
    const url = await fake.listen(26601)
    const base = await ensureBaseImage(docker)
    await buildRegistratorImage(docker, { tag: image, labels: testLabel })
    await runRegistratorContainer(docker, ['-hostname', 'e2ec', '-cleanup', `consul://${url.slice('http://'.length)}`], { name: 'zx-e2e-registrator', image, labels: testLabel })
    await eventually('registrator pinged the agent', () => fake.calls.includes('GET /v1/status/leader'))
    const container = await docker.createContainer({
      name: 'zx-e2e-contained', Image: base, Cmd: ['node', '-e', 'setTimeout(() => {}, 600000)'],
      Labels: { ...testLabel, SERVICE_NAME: 'contained', SERVICE_TAGS: 'a,b' },
      ExposedPorts: { '8080/tcp': {} }, HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '26520' }] } },
    })
    await container.start()
    await eventually('service registered', () => fake.services.has('e2ec:zx-e2e-contained:8080'))
    expect(fake.services.get('e2ec:zx-e2e-contained:8080')).toMatchObject({ Service: 'contained', Address: '127.0.0.1', Port: 26520, Tags: ['a', 'b'] })
    await container.remove({ force: true })
    await eventually('service deregistered', () => !fake.services.has('e2ec:zx-e2e-contained:8080'))
  })
})
