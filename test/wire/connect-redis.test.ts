/**
 * connect-redis 7 with express-session's middleware, on a plain node http
 * server, storing sessions in effect-kv unchanged: a session is saved
 * (SET sess:<id> <json> EX <ttl>), read back on a second request carrying the
 * cookie (GET), touched by a request that leaves it unmodified (EXPIRE),
 * listed (SCAN MATCH, MGET) and destroyed (DEL). Once over ioredis, once over
 * node-redis: connect-redis speaks to either.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import RedisStore from "connect-redis"
import session, { type SessionRequest } from "express-session"
import { Redis } from "ioredis"
import { createClient } from "redis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../src/index.js"

let kv: RunningServer
let inspect: Redis

beforeAll(async () => {
  kv = await startServer({ port: 0 })
  inspect = new Redis({ port: kv.port })
})

afterAll(async () => {
  inspect.disconnect()
  await kv.close()
})

const cookieMaxAgeMs = 60_000

/**
 * An http server whose requests pass express-session's middleware with `store`:
 * /login sets `views`, /views answers it unmodified, /logout destroys the session.
 */
const startApp = async (store: RedisStore) => {
  const middleware = session({
    store,
    secret: "effect-kv test secret",
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: cookieMaxAgeMs }
  })
  const route = (request: SessionRequest, response: ServerResponse) => {
    const current = request.session
    if (current === undefined) return response.writeHead(500).end("no session")
    switch (request.url) {
      case "/login":
        current.views = 1
        return response.end(current.id)
      case "/views":
        return response.end(String(current.views ?? "none"))
      case "/logout":
        return current.destroy((error) => response.writeHead(error === undefined ? 200 : 500).end("bye"))
    }
    return response.writeHead(404).end()
  }
  const http = createServer((request: IncomingMessage, response) =>
    middleware(request, response, (error) => {
      if (error !== undefined) response.writeHead(500).end(String(error))
      else route(request, response)
    })
  )
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  const address = http.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    request: async (path: string, cookie?: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: cookie === undefined ? {} : { cookie }
      })
      return { body: await response.text(), setCookie: response.headers.get("set-cookie") }
    },
    close: () => new Promise<void>((resolve) => http.close(() => resolve()))
  }
}

/** The session's whole lifecycle through `store`, checking effect-kv's keys along the way. */
const sessionLifecycle = async (store: RedisStore, prefix: string) => {
  const app = await startApp(store)
  try {
    const login = await app.request("/login")
    expect(login.setCookie).toMatch(/^connect\.sid=/)
    const cookie = (login.setCookie ?? "").split(";")[0]
    const key = `${prefix}${login.body}`
    const saved = JSON.parse((await inspect.get(key)) ?? "null")
    expect(saved).toMatchObject({ views: 1, cookie: { originalMaxAge: cookieMaxAgeMs } })
    expect(await inspect.ttl(key)).toBeGreaterThan(55)

    // an unmodified session is touched: EXPIRE brings its TTL back to the cookie's
    await inspect.expire(key, 5)
    const read = await app.request("/views", cookie)
    expect(read.body).toBe("1")
    expect(await inspect.ttl(key)).toBeGreaterThan(55)

    const without = await app.request("/views")
    expect(without.body).toBe("none")

    const logout = await app.request("/logout", cookie)
    expect(logout.body).toBe("bye")
    expect(await inspect.exists(key)).toBe(0)
    expect((await app.request("/views", cookie)).body).toBe("none")
  } finally {
    await app.close()
  }
}

const callback = <A>(run: (done: (error?: unknown, data?: A) => void) => void): Promise<A | undefined> =>
  new Promise((resolve, reject) => run((error, data) => (error ? reject(error) : resolve(data))))

describe("connect-redis with express-session on effect-kv", () => {
  it("over ioredis: saved, read back with the cookie, touched, listed, destroyed", async () => {
    const client = new Redis({ port: kv.port })
    try {
      const store = new RedisStore({ client, prefix: "ioredis-sess:" })
      await sessionLifecycle(store, "ioredis-sess:")

      // the store's listing (SCAN MATCH prefix*, MGET) and clear (DEL)
      await client.set("ioredis-sess:a", JSON.stringify({ cookie: {}, views: 2 }))
      await client.set("ioredis-sess:b", JSON.stringify({ cookie: {}, views: 3 }))
      await client.set("unrelated", "x")
      expect(await callback<number>((done) => store.length(done))).toBe(2)
      expect((await callback<Array<string>>((done) => store.ids(done)))?.sort()).toEqual(["a", "b"])
      const all = await callback<Array<{ readonly id: string; readonly views: number }>>((done) => store.all(done))
      expect(all?.map((entry) => [entry.id, entry.views]).sort()).toEqual([["a", 2], ["b", 3]])
      await callback((done) => store.clear(done))
      expect(await client.keys("ioredis-sess:*")).toEqual([])
      expect(await client.exists("unrelated")).toBe(1)
    } finally {
      client.disconnect()
    }
  }, 20_000)

  it("over node-redis: saved, read back with the cookie, touched, destroyed", async () => {
    const client = await createClient({ url: `redis://127.0.0.1:${kv.port}` }).connect()
    try {
      await sessionLifecycle(new RedisStore({ client, prefix: "node-redis-sess:" }), "node-redis-sess:")
    } finally {
      await client.close()
    }
  }, 20_000)
})
