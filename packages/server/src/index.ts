export type { ServerConfig } from './config.ts'
export { type AppDeps, createApp } from './http/app.ts'
export { SqlTrackingStore, type SqlTrackingStoreOptions } from './store/sql/sql-tracking-store.ts'
export type { TrackingStore } from './store/tracking-store.ts'
