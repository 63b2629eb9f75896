/**
 * src/registrator/main.ts: the entry point of the registrator container image (bundled into one
 * file by src/registrator/image.ts). Docker comes from DOCKER_HOST or the mounted socket
 * (/var/run/docker.sock, or /tmp/docker.sock as gliderlabs/registrator mounts it).
 */
import { existsSync } from 'node:fs'
import Docker from 'dockerode'
import { isLabError } from '../errors.js'
import { parseRegistratorArgv } from './argv.js'
import { runRegistrator } from './run.js'

/** registratorMain runs the registrator from argv and returns the exit code. */
export async function registratorMain(argv: readonly string[]): Promise<number> {
  try {
    const { options, uri } = parseRegistratorArgv(argv)
    const socketPath = ['/var/run/docker.sock', '/tmp/docker.sock'].find((path) => existsSync(path))
    const docker = process.env.DOCKER_HOST || socketPath === undefined ? new Docker() : new Docker({ socketPath })
    await runRegistrator({ docker, agentUri: uri ?? 'consul://127.0.0.1:8500', options, log: (line) => console.log(`${new Date().toISOString()} ${line}`) })
    return 0
  } catch (error) {
    console.error(`registrator: ${isLabError(error) ? error.message : (error as Error).stack ?? String(error)}`)
    return 1
  }
}

declare const ZX_REGISTRATOR_MAIN: boolean | undefined
if (typeof ZX_REGISTRATOR_MAIN !== 'undefined' && ZX_REGISTRATOR_MAIN) {
  void registratorMain(process.argv.slice(2)).then((code) => { process.exitCode = code })
}
