import { MlflowError } from '@carnet/protocol'

// mlflow-compat: the request-validation messages of MLflow's handlers.
const missing = (name: string) =>
  MlflowError.invalidParameter(
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
  )

function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'dict'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return 'str'
}

const wrongType = (name: string, value: unknown) =>
  MlflowError.invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied:  Hint: Value was of type '${pythonType(value)}'. See the API docs for more information about request parameters.`,
  )

// Field names are a small fixed set; computing each camelCase form once keeps regexes off the hot path.
const CAMEL = new Map<string, string>()
const camel = (name: string): string => {
  let found = CAMEL.get(name)
  if (found === undefined) {
    found = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
    CAMEL.set(name, found)
  }
  return found
}

interface Options {
  required?: boolean
}

/**
 * Typed access to a request's fields, from a JSON body or a query string, with MLflow's messages.
 * Field names are accepted in snake_case and lowerCamelCase, as protobuf's JSON parser does.
 */
export class Fields {
  readonly #data: Record<string, unknown>
  readonly #prefix: string
  readonly #fromQuery: boolean

  constructor(
    data: Record<string, unknown>,
    options: { prefix?: string; fromQuery?: boolean } = {},
  ) {
    this.#data = data
    this.#prefix = options.prefix ?? ''
    this.#fromQuery = options.fromQuery ?? false
  }

  #name(name: string): string {
    return `${this.#prefix}${name}`
  }

  /** The raw value; a repeated query key gives its first value unless `list` is asked for. */
  raw(name: string): unknown {
    const value = name in this.#data ? this.#data[name] : this.#data[camel(name)]
    if (this.#fromQuery && Array.isArray(value)) return value[0]
    return value
  }

  has(name: string): boolean {
    const value = this.raw(name)
    return value !== undefined && value !== null
  }

  string(name: string, options: Options & { required: true }): string
  string(name: string, options?: Options): string | undefined
  string(name: string, options: Options = {}): string | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null || value === '') {
      if (options.required) throw missing(this.#name(name))
      return value === '' ? '' : undefined
    }
    if (typeof value === 'string') return value
    // protobuf's JSON parser accepts numbers for string fields? It does not: report the type.
    throw wrongType(this.#name(name), value)
  }

  /** int32/int64 fields: JSON numbers or decimal strings. */
  int(name: string, options: Options & { required: true }): number
  int(name: string, options?: Options): number | undefined
  int(name: string, options: Options = {}): number | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null || value === '') {
      if (options.required) throw missing(this.#name(name))
      return undefined
    }
    if (typeof value === 'number' && Number.isInteger(value)) return value
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value)
    throw wrongType(this.#name(name), value)
  }

  /** double fields: numbers, numeric strings, or "NaN" / "Infinity" / "-Infinity". */
  double(name: string, options: Options & { required: true }): number
  double(name: string, options?: Options): number | undefined
  double(name: string, options: Options = {}): number | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null || value === '') {
      if (options.required) throw missing(this.#name(name))
      return undefined
    }
    if (typeof value === 'number') return value
    if (typeof value === 'string') {
      const special = SPECIAL_DOUBLES[value]
      if (special !== undefined) return special
      if (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return Number(value)
    }
    throw wrongType(this.#name(name), value)
  }

  bool(name: string): boolean | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null) return undefined
    if (typeof value === 'boolean') return value
    if (this.#fromQuery && typeof value === 'string') {
      const lower = value.toLowerCase()
      if (lower === 'true' || lower === 'false') return lower === 'true'
      // mlflow-compat
      throw MlflowError.invalidParameter(
        `Invalid boolean value: ${value}, must be 'true' or 'false'.`,
      )
    }
    throw wrongType(this.#name(name), value)
  }

  /** An enum given by name or proto number. */
  enumValue<T extends string>(
    name: string,
    names: readonly T[],
    byNumber: Record<number, T>,
  ): T | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T
    const number = typeof value === 'number' ? value : Number(value)
    const byNum = Number.isInteger(number) ? byNumber[number] : undefined
    if (byNum) return byNum
    throw wrongType(this.#name(name), value)
  }

  /** A repeated field: a JSON array, or every value of a repeated query key. */
  list(name: string): unknown[] {
    const value = name in this.#data ? this.#data[name] : this.#data[camel(name)]
    if (value === undefined || value === null) return []
    if (Array.isArray(value)) return value
    if (this.#fromQuery) return [value]
    throw wrongType(this.#name(name), value)
  }

  stringList(name: string): string[] {
    return this.list(name).map((item, i) => {
      if (typeof item === 'string') return item
      throw wrongType(`${this.#name(name)}[${i}]`, item)
    })
  }

  /** A repeated message field: one Fields per element, named like `metrics[3].`. */
  messages(name: string): Fields[] {
    return this.list(name).map((item, i) => this.#nested(`${name}[${i}]`, item))
  }

  message(name: string): Fields | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null) return undefined
    return this.#nested(name, value)
  }

  #nested(name: string, value: unknown): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw wrongType(this.#name(name), value)
    }
    return new Fields(value as Record<string, unknown>, { prefix: `${this.#name(name)}.` })
  }
}

const SPECIAL_DOUBLES: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
}
