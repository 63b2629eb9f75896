// Goal (issue 6 acceptance): with `zx registrator` watching the real Docker engine, `app up` with
// 2 replicas shows 2 passing instances named after the image with `<host>:<container>:<port>` IDs;
// a SERVICE_IGNORE container is not registered; a multi-port container gets `-<port>` names;
// `app down` removes the instances; a registrator killed with SIGKILL, restarted after containers
// changed, converges (with --cleanup) without duplicates.
// Method: real engine, the real CLI (`node bin/run.js registrator`, built by `npm run test:e2e`),
// and an agent: here the recording FakeAgent on 127.0.0.1:26600 (or ZX_E2E_AGENT_URL);
// real-agent.test.ts runs the same scenario against a real `zx agent -dev`. Everything created
// carries zx.test=1 and is removed at the end.
import { afterAll, beforeAll, describe, it } from 'vitest'
import { FakeAgent } from './fake-agent.js'
import { cleanupScenario, prepareScenario, runScenario } from './scenario.js'

const fake = new FakeAgent()

describe('zx registrator against the real engine and a recording agent', () => {
  beforeAll(async () => {
    await prepareScenario(process.env.ZX_E2E_AGENT_URL ?? await fake.listen(26600))
  })

  afterAll(async () => {
    await cleanupScenario()
    await fake.close()
  })

  it('registers, ignores, names multi-port services, deregisters, and converges after a restart', runScenario)
})
