#!/usr/bin/env node
// zx entry point: oclif finds the compiled commands under dist/commands.
import { execute } from '@oclif/core'

await execute({ dir: import.meta.url })
