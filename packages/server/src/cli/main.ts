import { CARNET_VERSION } from '../config.ts'
import { openDatabase } from '../store/sql/dialects/open-database.ts'
import { ensureSchema } from '../store/sql/migrate.ts'
import { GC_USAGE, parseGcArgs, runGc } from './gc-command.ts'
import { parseServerConfig, runServer, SERVER_USAGE } from './server-command.ts'
import { describeStoreError } from './store-error.ts'

const USAGE = `Usage: carnet <command> [OPTIONS]

Commands:
  server          Run the tracking server (mlflow server's flags)
  db upgrade URI  Create or check the schema of a backend store
  gc              Permanently delete deleted runs and experiments (mlflow gc's flags)
  --version       Print the version`

/** One line on stderr and exit code 1: what users see for a bad URI or an unreachable database. */
function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`carnet: ${message.split('\n')[0]}`)
  process.exit(1)
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === '--version' || command === 'version') {
    console.log(`carnet ${CARNET_VERSION}`)
    return
  }
  if (command === 'server') {
    if (rest.includes('--help')) {
      console.log(SERVER_USAGE)
      return
    }
    let config: ReturnType<typeof parseServerConfig>
    try {
      config = parseServerConfig(rest, process.env)
    } catch (error) {
      fail(error)
    }
    try {
      const running = await runServer(config)
      const stop = () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    } catch (error) {
      fail(error)
    }
    return
  }
  if (command === 'gc') {
    if (rest.includes('--help')) {
      console.log(GC_USAGE)
      return
    }
    try {
      await runGc(parseGcArgs(rest, process.env))
    } catch (error) {
      fail(error)
    }
    return
  }
  if (command === 'db' && rest[0] === 'upgrade') {
    const uri = rest[1]
    if (!uri) fail(new Error('usage: carnet db upgrade <backend-store-uri>'))
    try {
      const open = openDatabase(uri)
      try {
        const result = await ensureSchema(open)
        console.error(result === 'created' ? 'Created the schema.' : 'The schema is up to date.')
      } finally {
        await open.close()
      }
    } catch (error) {
      fail(describeStoreError(error, uri))
    }
    return
  }
  console.log(USAGE)
  if (command !== undefined && command !== '--help' && command !== 'help') process.exit(2)
}

await main(process.argv.slice(2))
