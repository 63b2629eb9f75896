/**
 * agent/version.ts: the build's identity, gossiped in the `build` tag and shown by
 * `zx version` and /v1/agent/self. The version is zx's own; protocol numbers are Consul's so
 * that tools reading `vsn` / `raft_vsn` tags see familiar values.
 */

/** version is zx's release, kept equal to package.json's. */
export const version = '0.1.0'

/** buildInfo describes this build. */
export function buildInfo(): { version: string; revision: string; protocol: number; raftProtocol: number } {
  return { version, revision: 'zx', protocol: 2, raftProtocol: 3 }
}
