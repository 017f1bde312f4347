/** The shell: top bar with navigation and the theme switch. */
import type { ReactNode } from 'react'
import { Link } from '../lib/router.tsx'
import { useTheme } from '../lib/theme.ts'

export function Layout({ section, children }: { section: string; children: ReactNode }) {
  const [theme, toggle] = useTheme()
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/experiments" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Carnet
        </Link>
        <nav className="topnav" aria-label="Main">
          <Link to="/experiments" className={section === 'experiments' ? 'active' : ''}>
            Experiments
          </Link>
          <Link to="/models" className={section === 'models' ? 'active' : ''}>
            Models
          </Link>
        </nav>
        <div className="grow" />
        <button
          type="button"
          className="icon-button theme-toggle"
          onClick={toggle}
          aria-label={theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
          title={theme === 'dark' ? 'Light mode' : 'Dark mode'}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main className="main">{children}</main>
    </div>
  )
}
