/** A small flag parser for `--name value`, `--name=value`, `--flag` and `--no-flag`, as click accepts them. */
export interface ParsedArgs {
  positionals: string[]
  options: Map<string, string | boolean>
}

export function parseArgs(
  argv: readonly string[],
  booleanFlags: ReadonlySet<string>,
  known?: ReadonlySet<string>,
): ParsedArgs {
  const positionals: string[] = []
  const options = new Map<string, string | boolean>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    const base = name.startsWith('no-') && booleanFlags.has(name.slice(3)) ? name.slice(3) : name
    if (known && !known.has(base)) throw new Error(`No such option: --${name}`)
    if (booleanFlags.has(name)) {
      options.set(name, eq === -1 ? true : arg.slice(eq + 1) !== 'false')
    } else if (name.startsWith('no-') && booleanFlags.has(name.slice(3))) {
      options.set(name.slice(3), false)
    } else if (eq !== -1) {
      options.set(name, arg.slice(eq + 1))
    } else {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--'))
        throw new Error(`Option --${name} requires a value`)
      options.set(name, value)
      i++
    }
  }
  return { positionals, options }
}
