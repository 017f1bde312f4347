/** App-wide providers: the query client and an error boundary. */
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { Component, type ReactNode } from 'react'
import { ErrorBanner } from '../components/ui/error-banner.tsx'

export function AppProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>
}

/** Catches render errors of one page so the shell stays usable. */
export class ErrorBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error?: unknown }
> {
  override state: { error?: unknown } = {}
  static getDerivedStateFromError(error: unknown) {
    return { error }
  }
  override componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error)
      this.setState({ error: undefined })
  }
  override render() {
    if (this.state.error)
      return <ErrorBanner error={this.state.error} title="This page failed to render" />
    return this.props.children
  }
}
