// Goal: a one-link cut is two DROP rules in the node's netns — INPUT from the peer, OUTPUT to
// it — tagged with the link so heal deletes only those; the record of cut links survives a
// round trip and a broken file reads as "none". Method: the pure rule builder and a temp folder.
// (The rules' effect on real traffic is checked by the Docker e2e test, test/e2e/lab.)
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hostLinkRules, linkRules, readLinks, writeLinks } from '../../../src/runtime/netfilter.js'

const dir = mkdtempSync(join(tmpdir(), 'zx-links-'))
afterEach(() => rmSync(join(dir, 'links.json'), { force: true }))

describe('netfilter links', () => {
  it('drops both directions between the node and one peer address only', () => {
    expect(linkRules({ node: 'node3', from: 'node2', peerAddress: '172.18.0.3' })).toEqual([
      { chain: 'INPUT', spec: ['-s', '172.18.0.3', '-m', 'comment', '--comment', 'zx-partition:node3:node2', '-j', 'DROP'] },
      { chain: 'OUTPUT', spec: ['-d', '172.18.0.3', '-m', 'comment', '--comment', 'zx-partition:node3:node2', '-j', 'DROP'] },
    ])
  })

  it('cuts a host link between two local addresses with one INPUT rule per direction, tagged with the cluster', () => {
    const comment = ['-m', 'comment', '--comment', 'zx-partition:lab:node3:node1']
    expect(hostLinkRules({ node: 'node3', from: 'node1', peerAddress: '127.150.2.1', nodeAddress: '127.150.2.3', cluster: 'lab' })).toEqual([
      { chain: 'INPUT', spec: ['-s', '127.150.2.1', '-d', '127.150.2.3', ...comment, '-j', 'DROP'] },
      { chain: 'INPUT', spec: ['-s', '127.150.2.3', '-d', '127.150.2.1', ...comment, '-j', 'DROP'] },
    ])
  })

  it('records links and ignores a broken or foreign file', async () => {
    expect(await readLinks(dir)).toEqual([])
    await writeLinks(dir, [{ node: 'node3', from: 'node2', peerAddress: '10.0.0.2' }])
    expect(await readLinks(dir)).toEqual([{ node: 'node3', from: 'node2', peerAddress: '10.0.0.2' }])
    writeFileSync(join(dir, 'links.json'), '[{"node":1}, {"node":"a","from":"b","peerAddress":"c"}]')
    expect(await readLinks(dir)).toEqual([{ node: 'a', from: 'b', peerAddress: 'c' }])
    writeFileSync(join(dir, 'links.json'), '{oops')
    expect(await readLinks(dir)).toEqual([])
  })
})
