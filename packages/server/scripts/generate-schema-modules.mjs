// Turns src/store/sql/schema/<dialect>.sql into <dialect>-ddl.ts string modules, so the DDL is part
// of the module graph and reaches both the TypeScript sources and the esbuild bundle unchanged.
// Run after editing a .sql file: node packages/server/scripts/generate-schema-modules.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('../src/store/sql/schema/', import.meta.url))
const modules = { sqlite: 'SQLITE_DDL', postgres: 'POSTGRES_DDL', mysql: 'MYSQL_DDL' }

// A template literal keeps the SQL readable in the module; only \, ` and ${ need escaping.
const templateLiteral = (text) =>
  `\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``

for (const [dialect, constant] of Object.entries(modules)) {
  const text = readFileSync(`${dir}${dialect}.sql`, 'utf8')
  const source = [
    `// Generated from ${dialect}.sql by scripts/generate-schema-modules.mjs; do not edit.`,
    `export const ${constant} = ${templateLiteral(text)}`,
    '',
  ].join('\n')
  writeFileSync(`${dir}${dialect}-ddl.ts`, source)
}
