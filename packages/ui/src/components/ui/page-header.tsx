/** Breadcrumbs, title and actions at the top of each page; also sets the document title. */
import { type ReactNode, useEffect } from 'react'
import { Link } from '../../lib/router.tsx'

export interface Crumb {
  label: string
  to?: string
}

interface PageHeaderProps {
  title: ReactNode
  docTitle: string
  crumbs?: Crumb[]
  actions?: ReactNode
  children?: ReactNode
}

export function PageHeader({ title, docTitle, crumbs = [], actions, children }: PageHeaderProps) {
  useEffect(() => {
    document.title = `${docTitle} - Carnet`
  }, [docTitle])
  return (
    <header className="page-header">
      {crumbs.length > 0 && (
        <nav className="crumbs" aria-label="Breadcrumb">
          {crumbs.map((c) => (
            <span key={`${c.label}-${c.to}`}>
              {c.to ? <Link to={c.to}>{c.label}</Link> : c.label}
              <span className="crumb-sep">›</span>
            </span>
          ))}
        </nav>
      )}
      <div className="page-title-row">
        <h1 className="page-title">{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </header>
  )
}
