/**
 * src/tools/cli-entry.ts: what bin/run.js takes from the bundled CLI (dist/cli/entry.js, see
 * cli-bundle.ts): oclif's execute and Config, from the same bundled copy of @oclif/core that
 * the bundled commands extend.
 */
export { Config, execute } from '@oclif/core'
