import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

/** Examples import the package by name, as users do; here that is the source (tsconfig `paths` says the same). */
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^effect-kv$/, replacement: source("./src/index.ts") },
      { find: /^effect-kv\/testing$/, replacement: source("./src/testing/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
