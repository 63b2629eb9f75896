// Goal: Docker events decode across chunk boundaries, garbage is counted not thrown, and each
// action maps to add/remove/keep/check per --deregister (registrator: on-success keeps non-zero exits).
// Method: feed the decoder split chunks; table of events through eventAction.
import { describe, expect, it } from 'vitest'
import { eventAction, JsonLineDecoder } from '../../../src/registrator/events.js'

describe('JsonLineDecoder', () => {
  it('joins split chunks and counts bad lines', () => {
    const decoder = new JsonLineDecoder()
    expect(decoder.push('{"Action":"st')).toEqual([])
    expect(decoder.push('art","id":"a"}\n{"Action":"die"')).toEqual([{ Action: 'start', id: 'a' }])
    expect(decoder.push(',"id":"b"}\nnope\n"str"\n')).toEqual([{ Action: 'die', id: 'b' }])
    expect(decoder.dropped).toBe(2)
  })
  it('caps its buffer', () => {
    const decoder = new JsonLineDecoder(16)
    decoder.push('{"x":"' + 'y'.repeat(64))
    expect(decoder.dropped).toBe(1)
    expect(decoder.push('{"ok":1}\n')).toEqual([{ ok: 1 }])
  })
})

describe('eventAction', () => {
  const event = (Action: string, exitCode?: string) => ({ Type: 'container', Action, Actor: { ID: 'c1', Attributes: exitCode === undefined ? {} : { exitCode } } })
  it('maps actions per deregister mode', () => {
    expect(eventAction(event('start'), 'always')).toEqual({ kind: 'add', id: 'c1' })
    expect(eventAction(event('die', '1'), 'always')).toMatchObject({ kind: 'remove' })
    expect(eventAction(event('die', '1'), 'on-success')).toMatchObject({ kind: 'keep' })
    expect(eventAction(event('die', '0'), 'on-success')).toMatchObject({ kind: 'remove' })
    expect(eventAction(event('die', '143'), 'on-success')).toMatchObject({ kind: 'remove' })
    expect(eventAction(event('destroy'), 'on-success')).toMatchObject({ kind: 'remove' })
    expect(eventAction(event('kill'), 'always')).toEqual({ kind: 'check', id: 'c1' })
    expect(eventAction(event('exec_start: sh'), 'always')).toEqual({ kind: 'ignore' })
    expect(eventAction({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }, 'always')).toEqual({ kind: 'ignore' })
    expect(eventAction({}, 'always')).toEqual({ kind: 'ignore' })
  })
})
