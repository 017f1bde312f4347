/** Entry: history-style paths (e.g. /experiments/1 after a server fallback) become hash routes. */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { prefetchForUrl } from './app/prefetch.ts'
import { AppProvider } from './app/provider.tsx'
import { AppRouter } from './app/router.tsx'
import { createQueryClient } from './lib/query-client.ts'
import './styles.css'

// the saved (or system) theme before the first render
try {
  const saved = localStorage.getItem('carnet.theme')
  const dark =
    saved === 'dark' || (saved !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches)
  if (dark) document.documentElement.dataset.theme = 'dark'
} catch {
  // storage unavailable: stay light
}

if (location.pathname !== '/' && location.pathname !== '/index.html' && !location.hash) {
  history.replaceState(null, '', `/#${location.pathname}${location.search}`)
}

const client = createQueryClient()
prefetchForUrl(client, location.hash)

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppProvider client={client}>
        <AppRouter />
      </AppProvider>
    </StrictMode>,
  )
}
