/**
 * Content types for artifact downloads, as MLflow's `_guess_mime_type`: text-like files (and
 * `MLmodel`) are `text/plain`, others by extension as Python's `mimetypes`, else octet-stream.
 */
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'ipynb',
  'MLmodel',
  'mlproject',
])

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  svgz: 'image/svg+xml',
  bmp: 'image/bmp',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/vnd.microsoft.icon',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  css: 'text/css',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  tgz: 'application/x-tar',
  jar: 'application/java-archive',
  h5: 'application/x-hdf5',
  geojson: 'application/geo+json',
  sql: 'application/sql',
  rtf: 'application/rtf',
  wav: 'audio/x-wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  mov: 'video/quicktime',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  sh: 'text/x-sh',
  c: 'text/x-csrc',
  h: 'text/x-chdr',
  cpp: 'text/x-c++src',
  java: 'text/x-java',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
}

export function guessContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  // Python's splitext: a leading dot (".bashrc") is not an extension.
  const extension = dot > 0 ? fileName.slice(dot + 1) : ''
  const key = extension === '' ? fileName : extension
  if (TEXT_EXTENSIONS.has(key) || TEXT_EXTENSIONS.has(key.toLowerCase())) return 'text/plain'
  return BY_EXTENSION[extension.toLowerCase()] ?? 'application/octet-stream'
}

/**
 * `Content-Disposition: attachment` for a file name (RFC 6266 / RFC 5987). Quotes, backslashes,
 * control characters and non-ASCII never reach the header raw: a sanitized ASCII `filename=` is
 * always present and `filename*=` carries the exact UTF-8 name.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]|["\\]/g, '')
    .trim()
  const fallback = ascii === '' ? 'download' : ascii
  if (fallback === fileName) return `attachment; filename="${fileName}"`
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
