import { MlflowError } from '@carnet/protocol'

/** A backend store URI as MLflow users write it, parsed into what a driver needs. */
export type DatabaseTarget =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres' | 'mysql'
      host: string
      port: number
      user: string | undefined
      password: string | undefined
      database: string
      options: Record<string, string>
    }

const SCHEMES: Record<string, 'sqlite' | 'postgres' | 'mysql'> = {
  sqlite: 'sqlite',
  postgresql: 'postgres',
  postgres: 'postgres',
  'postgresql+psycopg2': 'postgres',
  'postgresql+psycopg': 'postgres',
  'postgresql+pg8000': 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'mysql+pymysql': 'mysql',
  'mysql+mysqldb': 'mysql',
  'mysql+mysqlconnector': 'mysql',
  'mariadb+pymysql': 'mysql',
}

const bad = (uri: string, why: string) =>
  new MlflowError('INVALID_PARAMETER_VALUE', `Invalid backend store URI '${redact(uri)}': ${why}`)

/** Hides the password of a URI before it reaches a message or a log. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')
}

/** Parses `sqlite:///rel.db`, `sqlite:////abs.db`, `postgresql+psycopg2://u:p@h:5432/db?x=y`, `mysql+pymysql://…`. */
export function parseDatabaseUri(uri: string): DatabaseTarget {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(uri.trim())
  if (!match) throw bad(uri, 'expected <dialect>://…, e.g. sqlite:///mlflow.db')
  const scheme = match[1]!.toLowerCase()
  const rest = match[2]!
  const kind = SCHEMES[scheme]
  if (!kind) {
    throw bad(uri, `unsupported scheme '${scheme}'; use sqlite, postgresql or mysql`)
  }
  if (kind === 'sqlite') return parseSqlite(uri, rest)
  return parseServer(uri, kind, rest)
}

function parseSqlite(uri: string, rest: string): DatabaseTarget {
  // sqlite:// and sqlite:///:memory: are in-memory; sqlite:///x is relative, sqlite:////x absolute.
  const [pathPart = ''] = rest.split('?')
  if (pathPart === '' || pathPart === '/:memory:') return { kind: 'sqlite', path: ':memory:' }
  if (!pathPart.startsWith('/'))
    throw bad(uri, 'a SQLite URI needs three slashes: sqlite:///file.db')
  const path = decodeURIComponent(pathPart.slice(1))
  if (path === '') throw bad(uri, 'missing database file path')
  return { kind: 'sqlite', path }
}

function parseServer(uri: string, kind: 'postgres' | 'mysql', rest: string): DatabaseTarget {
  let url: URL
  try {
    url = new URL(`http://${rest}`)
  } catch {
    throw bad(uri, 'cannot parse host, port or credentials')
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!database || database.includes('/')) throw bad(uri, 'missing or invalid database name')
  const options: Record<string, string> = {}
  for (const [key, value] of url.searchParams) options[key] = value
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || options['host'] || '127.0.0.1'
  return {
    kind,
    host,
    port: url.port ? Number(url.port) : kind === 'postgres' ? 5432 : 3306,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
    options,
  }
}
