/**
 * agent/raft/core/conf.ts: Raft configurations (ConfState) as the core uses them. A config
 * entry's data is the JSON of its ConfState; JSON is fine here because config changes are rare
 * and never on the hot path. A server's configuration is the latest config entry in its log,
 * committed or not (Raft dissertation §4.1), so the core keeps a short history of the
 * uncommitted ones to fall back to when a follower's log suffix is truncated.
 */
import { ZxError } from '../../errors.js'
import type { ConfChange, ConfState, NodeId } from './types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** encodeConfState turns a configuration into the data of a 'config' entry. */
export function encodeConfState(conf: ConfState): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: conf.voters, learners: conf.learners, addresses: conf.addresses }))
}

/** decodeConfState parses a 'config' entry's data; it throws ZX_ERR_CORRUPT on bad bytes. */
export function decodeConfState(data: Uint8Array): ConfState {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(data))
  } catch (cause) {
    throw new ZxError('ZX_ERR_CORRUPT', 'config entry is not valid JSON', { cause })
  }
  if (!isConfState(parsed)) throw new ZxError('ZX_ERR_CORRUPT', 'config entry has the wrong shape')
  return { voters: [...parsed.voters], learners: [...parsed.learners], addresses: { ...parsed.addresses } }
}

function isConfState(value: unknown): value is ConfState {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const ids = (x: unknown): boolean => Array.isArray(x) && x.every((id) => typeof id === 'string')
  if (!ids(v.voters) || !ids(v.learners)) return false
  if (typeof v.addresses !== 'object' || v.addresses === null || Array.isArray(v.addresses)) return false
  return Object.values(v.addresses).every((a) => typeof a === 'string')
}

/** emptyConf is the configuration of a server that has not been bootstrapped or joined. */
export function emptyConf(): ConfState {
  return { voters: [], learners: [], addresses: {} }
}

/** isVoter tells whether id votes in conf. */
export function isVoter(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id)
}

/** members returns voters then learners of conf. */
export function members(conf: ConfState): NodeId[] {
  return [...conf.voters, ...conf.learners]
}

/**
 * applyConfChange returns the configuration after one change, or throws ZX_ERR_MEMBERSHIP when
 * the change makes no sense (adding an existing voter, removing a stranger, removing the last voter).
 * Adding a voter that is a learner promotes it.
 */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const voters = [...conf.voters]
  const learners = [...conf.learners]
  const addresses = { ...conf.addresses }
  switch (change.type) {
    case 'add-voter':
      if (voters.includes(change.id)) throw membership(`${change.id} is already a voter`)
      if (learners.includes(change.id)) learners.splice(learners.indexOf(change.id), 1)
      voters.push(change.id)
      addresses[change.id] = change.address
      break
    case 'add-learner':
      if (voters.includes(change.id)) throw membership(`${change.id} is a voter; demotion is not supported`)
      if (learners.includes(change.id)) throw membership(`${change.id} is already a learner`)
      learners.push(change.id)
      addresses[change.id] = change.address
      break
    case 'remove':
      if (voters.includes(change.id)) {
        if (voters.length === 1) throw membership('cannot remove the last voter')
        voters.splice(voters.indexOf(change.id), 1)
      } else if (learners.includes(change.id)) {
        learners.splice(learners.indexOf(change.id), 1)
      } else {
        throw membership(`${change.id} is not a member`)
      }
      delete addresses[change.id]
      break
    default: {
      const never: never = change
      throw membership(`unknown change ${JSON.stringify(never)}`)
    }
  }
  return { voters, learners, addresses }
}

function membership(message: string): ZxError {
  return new ZxError('ZX_ERR_MEMBERSHIP', message)
}
