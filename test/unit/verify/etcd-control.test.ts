/**
 * Goal: the etcd nemesis drives etcd-cluster.sh correctly — `leader` output parsed to a member
 * name, kill only through `kill-leader` and only for the current leader, restart by name,
 * endpoints split from the comma list — without touching a real etcd cluster.
 * Method: a stand-in script in a temp dir that logs its arguments and answers like the real one.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { etcdEndpoints, etcdScriptControl } from '../../../src/verify/etcd-control.js'

const dir = mkdtempSync(join(tmpdir(), 'zx-etcd-ctl-'))
const log = join(dir, 'calls.log')
const script = join(dir, 'etcd-cluster.sh')
writeFileSync(script, `#!/bin/sh
echo "$@" >> ${log}
case "$1" in
  leader) echo "m2 http://127.0.0.1:22379 d499b8aacfa70153" ;;
  kill-leader) echo '{"name":"m2","pid":1,"member_id":"d4","kill_ms":3}' ;;
  endpoints) echo "http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379" ;;
  restart) exit 0 ;;
esac
`)
chmodSync(script, 0o755)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('etcdScriptControl', () => {
  it('finds the leader, kills only it, restarts by name and lists endpoints', async () => {
    const control = etcdScriptControl(script)
    expect(control.servers()).toEqual(['m1', 'm2', 'm3'])
    expect(await control.leader()).toBe('m2')
    await expect(control.kill('m1')).rejects.toThrow(/only kill the leader/)
    await control.kill('m2')
    await control.start('m2')
    await expect(control.pause('m3')).rejects.toThrow(/cannot pause/)
    expect(await etcdEndpoints(script)).toEqual(['http://127.0.0.1:2379', 'http://127.0.0.1:22379', 'http://127.0.0.1:32379'])
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['leader', 'leader', 'leader', 'kill-leader', 'restart m2', 'endpoints'])
  })
})
