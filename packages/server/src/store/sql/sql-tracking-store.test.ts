import { afterAll } from 'vitest'
import { describeTrackingStore } from '../tracking-store.contract.ts'
import { SqlTrackingStore } from './sql-tracking-store.ts'
import { createTestDatabase, type TestDatabase, testDialects } from './test-databases.ts'

const databases: TestDatabase[] = []

for (const dialect of testDialects()) {
  describeTrackingStore(
    dialect,
    async () => {
      const database = await createTestDatabase(dialect)
      databases.push(database)
      return SqlTrackingStore.open({ uri: database.uri, defaultArtifactRoot: 'mlflow-artifacts:/' })
    },
    { caseInsensitiveNames: dialect === 'mysql' },
  )
}

afterAll(async () => {
  for (const database of databases) await database.drop()
})
