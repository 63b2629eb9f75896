/**
 * agent/agent-plugins.ts: the agent's start-up seam. A plugin is started once the HTTP API is up
 * (on servers and clients alike) and stopped when the agent closes: DNS, the agent-local service
 * registry with anti-entropy, the catalog reconciler on servers … Adding one is an import and a
 * line in `agentPlugins`. The catalog tables are at `ctx.server?.store.catalog`.
 */
import type { AgentContext } from './endpoints/context.js'
import { catalogPlugin } from './local/agent.js'

/** AgentPlugin is one optional component of a running agent. */
export interface AgentPlugin {
  name: string
  /** start runs the component; the returned function stops it. */
  start(ctx: AgentContext): Promise<(() => Promise<void> | void) | void>
}

/** agentPlugins are started in order by every agent; append new components here. */
export const agentPlugins: AgentPlugin[] = [catalogPlugin]
