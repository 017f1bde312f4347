/** Tabs as links (each tab is a URL, so reload and sharing keep the tab). */
import { Link } from '../../lib/router.tsx'

export interface TabDef {
  id: string
  label: string
  to: string
}

export function Tabs({ tabs, active }: { tabs: TabDef[]; active: string }) {
  return (
    <nav className="tabs" aria-label="Sections">
      {tabs.map((t) => (
        <Link
          key={t.id}
          to={t.to}
          aria-current={t.id === active ? 'page' : undefined}
          className={t.id === active ? 'tab active' : 'tab'}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  )
}
