import { Command } from '@oclif/core'
import { generateKey } from '../agent/gossip/crypto.js'

/** Keygen prints a fresh base64 32-byte gossip encryption key, like `consul keygen`. */
export default class Keygen extends Command {
  static override summary = 'Generate a new gossip encryption key (for -encrypt).'
  static override examples = ['<%= config.bin %> keygen', '<%= config.bin %> agent -encrypt "$(<%= config.bin %> keygen)" …']
  static override enableJsonFlag = true

  async run(): Promise<{ key: string }> {
    const key = generateKey()
    this.log(key)
    return { key }
  }
}
