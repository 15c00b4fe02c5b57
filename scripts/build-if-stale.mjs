// `npm start`'s prestart: builds dist/ only when it is missing or older than a source
// (src/, the tsconfigs, package.json), so a start does not pay for tsc each time.
import { spawnSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"

const newestIn = (path) => {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (stat === undefined) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestIn(join(path, name))))
}

const builtAt = statSync("dist/cli/main.js", { throwIfNoEntry: false })?.mtimeMs ?? -1
const sourcesAt = Math.max(...["src", "tsconfig.json", "tsconfig.build.json", "package.json"].map(newestIn))
if (builtAt < sourcesAt) {
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" })
  process.exit(build.status ?? 1)
}
