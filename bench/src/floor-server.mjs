// Floor servers for the benchmark (no database, no framework): what plain node:http can do on the
// same pinned core. Usage: node floor-server.mjs PORT MODE [ARG]
//   http           tiny JSON answers to any GET or POST (the HTTP floor)
//   static DIR     PUT writes DIR/<path>, GET streams it back (the artifact floor)
//   cold DBFILE    opens a SQLite file with better-sqlite3 first (the cold-start floor)
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, join, normalize } from 'node:path'
import { pipeline } from 'node:stream/promises'

const [portText, mode, arg] = process.argv.slice(2)
const port = Number(portText)
let db
if (mode === 'cold') {
  const { default: Database } = await import('better-sqlite3')
  db = new Database(arg)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE IF NOT EXISTS experiments (experiment_id INTEGER PRIMARY KEY, name TEXT)')
  db.prepare('INSERT OR IGNORE INTO experiments VALUES (0, ?)').run('Default')
}
const getExperiment = db?.prepare(
  'SELECT experiment_id, name FROM experiments WHERE experiment_id = ?',
)

const json = (res, text) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

createServer(async (req, res) => {
  try {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('OK')
      return
    }
    if (mode === 'static') {
      const path = join(
        arg,
        normalize(decodeURIComponent(req.url.split('?')[0])).replace(/^(\.\.[/\\])+/, ''),
      )
      if (req.method === 'PUT') {
        mkdirSync(dirname(path), { recursive: true })
        await pipeline(req, createWriteStream(path))
        return json(res, '{}')
      }
      const size = statSync(path).size
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
      await pipeline(createReadStream(path), res)
      return
    }
    if (mode === 'cold') return json(res, JSON.stringify({ experiment: getExperiment.get(0) }))
    if (req.method === 'GET') return json(res, '{"status":"ok"}')
    const chunks = []
    for await (const c of req) chunks.push(c)
    JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    json(res, '{}')
  } catch (error) {
    res.writeHead(500)
    res.end(String(error))
  }
}).listen(port, '127.0.0.1')
