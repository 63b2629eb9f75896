// Goal: the demo image builds offline from templates/demo, `up` runs replicas on 127.0.0.1:5727
// and 5728 that answer /health and /api/instance with their mounted settings, and `down`
// removes them. Method: real engine; image and containers labelled zx.test=1 and removed after.
import Docker from 'dockerode'
import { afterAll, describe, expect, it } from 'vitest'
import { buildDemoImage, demoDown, demoUp } from '../../../src/registrator/demo-app.js'
import { removeTestContainers, testLabel } from './docker-helpers.js'

const docker = new Docker()
const image = 'zx-demo-e2e:latest'

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      return { status: response.status, body: await response.json() as Record<string, unknown> }
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

describe('demo app', () => {
  afterAll(async () => {
    await demoDown(docker)
    await removeTestContainers(docker)
    await docker.getImage(image).remove({ force: true }).catch(() => {})
  })

  it('builds, serves two instances with their settings, and goes down', async () => {
    await buildDemoImage(docker, { tag: image, labels: testLabel })
    const instances = await demoUp(docker, { replicas: 2, image, labels: testLabel })
    expect(instances.map((instance) => instance.hostPort)).toEqual([5727, 5728])
    const health = await getJson('http://127.0.0.1:5727/health')
    expect(health.status).toBe(200)
    const second = await getJson('http://127.0.0.1:5728/api/instance')
    expect(second.body).toMatchObject({ instance: 'demo2', port: 8080, settings: { Instance: 'demo2' } })
    const again = await demoUp(docker, { replicas: 2, image, labels: testLabel })
    expect(again.map((instance) => instance.id)).toEqual(instances.map((instance) => instance.id))
    const removed = await demoDown(docker)
    expect(removed.sort()).toEqual(['webapidemo-1', 'webapidemo-2'])
    expect(await docker.listContainers({ all: true, filters: { label: ['zx.app=demo'] } })).toEqual([])
  })
})
