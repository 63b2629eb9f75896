// Helpers for the registrator e2e tests: run throwaway containers labelled zx.test=1 and remove
// everything with that label afterwards.
import type Docker from 'dockerode'

/** testLabel marks every container, network and image these tests create. */
export const testLabel = { 'zx.test': '1' }

/** runToCompletion runs one command in a fresh container and returns its exit code and output. */
export async function runToCompletion(docker: Docker, image: string, cmd: string[], extra: Partial<Docker.ContainerCreateOptions> = {}): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Labels: testLabel, Tty: true, ...extra })
  try {
    await container.start()
    const waited = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('container did not exit in 60 s')), 60_000).unref()),
    ])
    const logs: unknown = await container.logs({ stdout: true, stderr: true, follow: false })
    // docker-modem JSON-parses a body that happens to be valid JSON; turn it back into text.
    const output = Buffer.isBuffer(logs) ? logs.toString('utf8') : typeof logs === 'string' ? logs : JSON.stringify(logs)
    return { exitCode: waited.StatusCode, output }
  } finally {
    await container.remove({ force: true }).catch(() => {})
  }
}

/** removeTestContainers force-removes every container carrying the test label. */
export async function removeTestContainers(docker: Docker): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: ['zx.test=1'] } })
  await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => {})))
}
