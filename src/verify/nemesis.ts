/**
 * src/verify/nemesis.ts: the fault injector of `zx verify`. It runs a schedule of faults
 * against a cluster through ClusterControl — kill -9 and restart the leader or a random
 * server, pause a node (SIGSTOP / docker pause) and resume it, partition a minority or a
 * majority away and heal — then ends with a heal-and-quiesce phase so the final reads see
 * a settled cluster. Every fault is logged with its time so a violation can be lined up with it.
 */
import { performance } from 'node:perf_hooks'

/** ClusterControl is what the nemesis needs from a runtime (process or docker). */
export interface ClusterControl {
  /** servers lists the server node names. */
  servers(): string[]
  /** leader returns the current leader's node name, if one is known. */
  leader(): Promise<string | undefined>
  kill(node: string): Promise<void>
  start(node: string): Promise<void>
  pause(node: string): Promise<void>
  resume(node: string): Promise<void>
  /** partition cuts `isolated` off from every other node; undefined when the runtime can't. */
  partition?: (isolated: string[]) => Promise<void>
  heal?: () => Promise<void>
}

/** FaultKind is one kind of fault the schedule may pick. */
export type FaultKind = 'kill-leader' | 'kill-random' | 'pause' | 'partition-minority' | 'partition-majority'

/** NemesisEvent is one logged step. */
export interface NemesisEvent {
  atMs: number
  what: string
}

/** NemesisOptions shape the schedule. */
export interface NemesisOptions {
  faults: FaultKind[]
  /** intervalMs between the start of one fault and the next; a fault lasts half of it. */
  intervalMs: number
  durationMs: number
  log?: (line: string) => void
}

/** runNemesis injects faults until durationMs passes, then heals everything. */
export async function runNemesis(control: ClusterControl, options: NemesisOptions): Promise<NemesisEvent[]> {
  const events: NemesisEvent[] = []
  const t0 = performance.now()
  const note = (what: string): void => {
    events.push({ atMs: Math.round(performance.now() - t0), what })
    options.log?.(`nemesis ${what}`)
  }
  const faults = options.faults.filter((f) => !f.startsWith('partition') || control.partition !== undefined)
  if (faults.length === 0) throw new Error('no fault of the schedule can run on this runtime')
  let round = 0
  while (performance.now() - t0 + options.intervalMs <= options.durationMs) {
    const fault = faults[round++ % faults.length]!
    const undo = await inject(control, fault, note)
    await sleep(options.intervalMs / 2)
    await undo()
    await sleep(options.intervalMs / 2)
  }
  note('quiesce: heal and restart everything')
  await healAll(control)
  return events
}

async function inject(control: ClusterControl, fault: FaultKind, note: (what: string) => void): Promise<() => Promise<void>> {
  const servers = control.servers()
  const random = (): string => servers[Math.floor(Math.random() * servers.length)]!
  switch (fault) {
    case 'kill-leader':
    case 'kill-random': {
      const node = fault === 'kill-leader' ? (await control.leader()) ?? random() : random()
      note(`kill -9 ${node}`)
      await control.kill(node)
      return async () => { note(`restart ${node}`); await control.start(node) }
    }
    case 'pause': {
      const node = random()
      note(`pause ${node}`)
      await control.pause(node)
      return async () => { note(`resume ${node}`); await control.resume(node) }
    }
    case 'partition-minority':
    case 'partition-majority': {
      const shuffled = [...servers].sort(() => Math.random() - 0.5)
      const minority = shuffled.slice(0, Math.floor((servers.length - 1) / 2) || 1)
      const isolated = fault === 'partition-minority' ? minority : shuffled.slice(minority.length)
      note(`partition ${isolated.join(',')} from the rest`)
      await control.partition!(isolated)
      return async () => { note('heal'); await control.heal!() }
    }
    default: {
      const never: never = fault
      throw new Error(`unknown fault ${String(never)}`)
    }
  }
}

async function healAll(control: ClusterControl): Promise<void> {
  if (control.heal) await control.heal().catch(() => undefined)
  for (const node of control.servers()) {
    await control.resume(node).catch(() => undefined)
    await control.start(node).catch(() => undefined)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
