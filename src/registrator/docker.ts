/**
 * src/registrator/docker.ts: small dockerode helpers shared by the registrator and the demo app:
 * an engine check that turns "connect ENOENT /var/run/docker.sock" into a clear LabError, and a
 * graceful stop-then-remove.
 */
import type Docker from 'dockerode'
import { LabError } from '../errors.js'

/** describeDockerError says what went wrong talking to the engine in one line. */
export function describeDockerError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
    return `Docker engine unreachable (${code}${code === 'EACCES' ? ': no permission on the socket' : ''}); is dockerd running? DOCKER_HOST=${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}`
  }
  return `Docker engine error: ${(error as Error).message ?? String(error)}`
}

/** ensureDocker pings the engine and throws ZX_ERR_NO_DOCKER when it does not answer. */
export async function ensureDocker(docker: Docker): Promise<void> {
  try {
    await docker.ping()
  } catch (error) {
    throw new LabError('ZX_ERR_NO_DOCKER', describeDockerError(error), { cause: error })
  }
}

/** removeContainer stops a container (SIGTERM, 5 s grace) and removes it; a missing one is fine. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id)
  try { await container.stop({ t: 5 }) } catch (error) { ignoreGone(error) }
  try { await container.remove({ force: true }) } catch (error) { ignoreGone(error) }
}

function ignoreGone(error: unknown): void {
  const status = (error as { statusCode?: number }).statusCode
  // 304: already stopped; 404: already gone; 409: removal already in progress.
  if (status === 304 || status === 404 || status === 409) return
  throw error
}
