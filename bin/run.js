#!/usr/bin/env node
// zx entry point: oclif, bundled with the commands into dist/cli by `npm run build`
// (src/tools/cli-bundle.ts), finds them under dist/cli/commands through oclif.manifest.json.
import { execute } from '../dist/cli/entry.js'

await execute({ dir: import.meta.url })
