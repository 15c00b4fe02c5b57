/**
 * Client tracking, differential: scripted sessions of three connections sent
 * to effect-kv and to a real redis-server; every connection's replies and
 * invalidation messages compared byte for byte, step by step (after each
 * step every connection is sent `PING sentinel`: what arrived before its
 * answer is what the step caused there). `$ID<n>` in a command stands for
 * connection n's client id on that server; ` ; ` separates the commands of
 * one step, sent in one write (MULTI blocks, pipelines).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectWithSentinel } from "./connection.js"
import { type Servers, startServers } from "./servers.js"

let servers: Servers

beforeAll(async () => {
  servers = await startServers()
})

afterAll(async () => {
  await servers?.stop()
})

/** One step: connection `on` sends `command` (words; `$ID<n>` replaced). */
type Step = readonly [on: number, command: string]

/** What every connection saw after each step, on the server at `port`. */
const run = async (port: number, steps: ReadonlyArray<Step>): Promise<ReadonlyArray<string>> => {
  const connections = [await connectWithSentinel(port), await connectWithSentinel(port), await connectWithSentinel(port)]
  try {
    const ids: Array<string> = []
    for (const connection of connections) {
      const [reply] = await connection.exchange([["CLIENT", "ID"]])
      ids.push(reply.slice(1, -2))
    }
    await connections[0].exchange([["FLUSHALL"]])
    // Client ids differ between the servers: each shows as $ID<n>.
    const masked = (frames: ReadonlyArray<string>): string =>
      ids.reduce((text, id, n) => text.replaceAll(`:${id}\r\n`, `:$ID${n}\r\n`), frames.join(""))
    const seen: Array<string> = []
    for (const [on, text] of steps) {
      const commands = text.split(" ; ").map((one) =>
        one.split(" ").map((word) => word.replace(/^\$ID(\d)$/, (_, n: string) => ids[Number(n)])))
      seen.push(`${on}> ${text}: ${masked(await connections[on].exchange(commands))}`)
      for (const [i, connection] of connections.entries()) {
        const frames = await connection.exchange([])
        if (frames.length > 0) seen.push(`  ${i} got ${masked(frames)}`)
      }
    }
    return seen
  } finally {
    for (const connection of connections) connection.close()
  }
}

const sessions: Record<string, ReadonlyArray<Step>> = {
  "option errors and info": [
    [0, "CLIENT TRACKING"], [0, "CLIENT TRACKING maybe"], [0, "CLIENT TRACKING on REDIRECT x"],
    [0, "CLIENT TRACKING on REDIRECT 999999"], [0, "CLIENT TRACKING on PREFIX a"],
    [0, "CLIENT TRACKING on BCAST PREFIX a PREFIX ab"], [0, "CLIENT TRACKING on OPTIN OPTOUT"],
    [0, "CLIENT TRACKING on BCAST OPTIN"], [0, "CLIENT TRACKING on foo"], [0, "CLIENT TRACKING on REDIRECT"],
    [0, "CLIENT CACHING yes"], [0, "CLIENT GETREDIR"], [0, "CLIENT TRACKINGINFO"],
    [0, "CLIENT TRACKING on OPTIN NOLOOP"], [0, "CLIENT GETREDIR"], [0, "CLIENT TRACKINGINFO"],
    [0, "CLIENT CACHING maybe"], [0, "CLIENT CACHING no"], [0, "CLIENT CACHING yes"], [0, "CLIENT TRACKINGINFO"],
    [0, "CLIENT TRACKING on OPTOUT"], [0, "CLIENT TRACKING on BCAST"], [0, "CLIENT TRACKING off"],
    [0, "CLIENT TRACKING on BCAST PREFIX a"], [0, "CLIENT TRACKING on BCAST PREFIX ab"],
    [0, "CLIENT TRACKINGINFO"], [0, "CLIENT TRACKING on REDIRECT $ID1 REDIRECT $ID2"]
  ],
  "RESP3 default mode": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on"], [0, "GET foo"], [0, "MGET a b"], [1, "SET foo 1"],
    [1, "SET foo 2"], [0, "GET foo"], [1, "DEL a"], [1, "LPUSH b x"], [0, "GET foo"], [1, "FLUSHDB"],
    [0, "GET foo"], [1, "SET foo 3"], [0, "GET foo"], [0, "RESET"], [1, "SET foo 4"]
  ],
  "RESP3 NOLOOP": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on NOLOOP"], [0, "GET k"], [0, "SET k 1"], [0, "GET k"],
    [1, "INCR k"]
  ],
  "RESP3 OPTIN and OPTOUT": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on OPTIN"], [0, "GET x"], [1, "SET x 1"], [0, "CLIENT CACHING yes"],
    [0, "GET y"], [0, "GET z"], [1, "SET y 1"], [1, "SET z 1"], [0, "CLIENT TRACKING off"],
    [0, "CLIENT TRACKING on OPTOUT"], [0, "GET p"], [0, "CLIENT CACHING no"], [0, "GET q"], [1, "MSET p 1 q 1"]
  ],
  "RESP3 BCAST": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on BCAST PREFIX user: PREFIX job:"], [1, "SET user:1 a"],
    [1, "SET other 1"], [1, "HSET job:2 f v"], [0, "CLIENT TRACKINGINFO"], [1, "FLUSHALL"]
  ],
  "RESP2 REDIRECT to a subscriber": [
    [1, "SUBSCRIBE __redis__:invalidate"], [0, "CLIENT TRACKING on REDIRECT $ID1"], [0, "GET foo"],
    [2, "SET foo bar"], [0, "GET foo"], [2, "EXPIRE foo 100"], [0, "CLIENT GETREDIR"], [2, "FLUSHALL"]
  ],
  "RESP3 own writes": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on"], [0, "GET k"], [0, "SET k 1"], [0, "GET k"], [0, "DEL k"]
  ],
  "RESP3 inside MULTI": [
    [0, "HELLO 3"], [0, "CLIENT TRACKING on"], [0, "GET a"], [1, "MULTI ; SET a 1 ; SET b 1 ; EXEC"],
    [0, "MULTI ; GET c ; EXEC"], [1, "SET c 1"], [0, "FLUSHALL"]
  ],
  "RESP2 REDIRECT to a RESP3 client": [
    [1, "HELLO 3"], [0, "CLIENT TRACKING on REDIRECT $ID1"], [0, "GET foo"], [2, "SET foo bar"]
  ]
}

describe("client tracking, against redis-server", () => {
  for (const [name, steps] of Object.entries(sessions)) {
    it(name, async () => {
      const expected = await run(servers.redisPort, steps)
      const actual = await run(servers.effectKvPort, steps)
      expect(actual).toEqual(expected)
    })
  }
})
