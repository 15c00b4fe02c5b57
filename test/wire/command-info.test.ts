/**
 * COMMAND INFO against redis-server 7.0.15 for every command of the string,
 * generic (key), hash, set and bitmap groups effect-kv has: name, arity,
 * flags (movablekeys included) and key positions, compared as RESP bytes.
 * Commands effect-kv lacks are skipped. ACL categories, tips and key specs
 * (fields 7-10) are not compared yet: effect-kv derives them from the flags.
 */
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { startServer } from "../../src/index.js"
import { type Cleanups, startRedis, tempDir } from "../persistence/redis-server.js"

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const groups = new Set(["string", "generic", "hash", "set", "bitmap"])

/** name -> group, from COMMAND DOCS. */
const groupsOf = async (client: Redis): Promise<Map<string, string>> => {
  const docs = (await client.call("COMMAND", "DOCS")) as Array<unknown>
  const result = new Map<string, string>()
  for (let i = 0; i < docs.length; i += 2) {
    const fields = docs[i + 1] as Array<unknown>
    const at = fields.indexOf("group")
    if (at >= 0) result.set(String(docs[i]), String(fields[at + 1]))
  }
  return result
}

describe("COMMAND INFO", () => {
  it("gives redis-server's name, arity, flags and key positions for the string, key, hash, set and bitmap commands", async () => {
    const redis = await startRedis(cleanups, tempDir(cleanups), "dump.rdb")
    const server = await startServer({})
    cleanups.push(() => server.close())
    const ours = new Redis({ port: server.port, host: "127.0.0.1", maxRetriesPerRequest: 1 })
    cleanups.push(() => ours.disconnect())
    const ourGroups = await groupsOf(ours)
    const names = Array.from(await groupsOf(redis)).filter(([name, group]) => groups.has(group) && ourGroups.has(name))
      .map(([name]) => name).sort()
    expect(names).toEqual(expect.arrayContaining(["sintercard", "migrate", "hset", "set", "setbit", "dump"]))
    const head = async (client: Redis, name: string) =>
      JSON.stringify(((await client.call("COMMAND", "INFO", name)) as Array<Array<unknown>>)[0].slice(0, 6))
    const differences: Array<string> = []
    for (const name of names) {
      const [theirs, mine] = [await head(redis, name), await head(ours, name)]
      if (theirs !== mine) differences.push(`${name}: redis ${theirs}, effect-kv ${mine}`)
    }
    expect(differences).toEqual([])
  }, 30_000)
})
