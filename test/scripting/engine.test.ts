import { describe, expect, it } from "vitest"
import * as Resp from "../../src/resp/values.js"
import type { RespValue } from "../../src/resp/values.js"
import { LuaEngine, type ScriptRun } from "../../src/scripting/engine.js"

const engine = await LuaEngine.create()

const store = new Map<string, string>()
const call = (args: ReadonlyArray<string>): RespValue => {
  const name = args[0].toLowerCase()
  if (name === "set") {
    store.set(args[1], args[2])
    return Resp.ok
  }
  if (name === "get") return store.has(args[1]) ? Resp.bulk(store.get(args[1]) ?? "") : Resp.nullBulk
  if (name === "hgetall") return Resp.map([[Resp.bulk("f"), Resp.bulk("v")]])
  return Resp.error("ERR Unknown Redis command called from script")
}

const newRun = (busyAfterMs = 5000): ScriptRun => ({
  name: "sha",
  startedAt: performance.now(),
  busyAfterMs,
  killed: false,
  busy: false,
  protocol: 2,
  call,
  log: () => {}
})

const evaluate = (body: string, keys: ReadonlyArray<string> = [], argv: ReadonlyArray<string> = []): RespValue => {
  const compiled = engine.compile(body, "user_script")
  if ("error" in compiled) return Resp.error(`compile: ${compiled.error}`)
  engine.setGlobalArray("KEYS", keys)
  engine.setGlobalArray("ARGV", argv)
  const status = engine.start(compiled.ref, newRun())
  engine.release(compiled.ref)
  if (status._tag !== "Done") throw new Error("yielded")
  return status.reply
}

describe("LuaEngine", () => {
  it("runs scripts with KEYS, ARGV and redis.call, binary-safe", () => {
    expect(evaluate("redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", ["k"], ["a\u0000\u00ffb"]))
      .toEqual(Resp.bulk("a\u0000\u00ffb"))
    expect(evaluate("return {1, 2.9, 'x', true, false, {ok='fine'}, nil, 5}")).toEqual(
      Resp.array([Resp.integer(1), Resp.integer(2), Resp.bulk("x"), Resp.integer(1), Resp.nullBulk, Resp.simple("fine")])
    )
  })
  it("phrases errors as Redis", () => {
    expect(evaluate("x = 1")).toEqual(Resp.error("ERR user_script:1: Attempt to modify a readonly table script: sha, on @user_script:1."))
    expect(evaluate("return y")).toEqual(
      Resp.error("ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: sha, on @user_script:1.")
    )
    expect(evaluate("\n error('boom')")).toEqual(Resp.error("ERR user_script:2: boom script: sha, on @user_script:2."))
    expect(evaluate("return redis.call('nosuch')")).toEqual(
      Resp.error("ERR Unknown Redis command called from script script: sha, on @user_script:1.")
    )
    expect(evaluate("return redis.pcall('nosuch')")).toEqual(Resp.error("ERR Unknown Redis command called from script"))
    expect(evaluate("return redis.error_reply('My Error')")).toEqual(Resp.error("My Error"))
    expect(evaluate("return redis.error_reply('x')")).toEqual(Resp.error("ERR x"))
    expect(evaluate("error({err='tbl'})")).toEqual(Resp.error("tbl script: sha, on @user_script:1."))
    expect(evaluate("local t = nil; return t.x")).toEqual(
      Resp.error("ERR user_script:1: attempt to index local 't' (a nil value) script: sha, on @user_script:1.")
    )
    expect(evaluate("string.foo = 1")).toEqual(Resp.error("ERR user_script:1: Attempt to modify a readonly table script: sha, on @user_script:1."))
    expect(evaluate("return 10 // 3")).toEqual(Resp.error("compile: user_script:1: unexpected symbol near '/'"))
  })
  it("formats numeric arguments with %.17g and uses Redis's math.random", () => {
    expect(evaluate("redis.call('set','x',0.1) local a = redis.call('get','x') redis.call('set','x',1e20) math.randomseed(0) return {a, redis.call('get','x'), math.random(100), math.random(1000), tostring(math.random())}"))
      .toEqual(Resp.array([Resp.bulk("0.10000000000000001"), Resp.bulk("1e+20"), Resp.integer(18), Resp.integer(750), Resp.bulk("0.09637165539729")]))
  })
  it("has cjson and bit, and no os/io/require", () => {
    expect(evaluate("return cjson.encode({1,2,{a=1}})")).toEqual(Resp.bulk("[1,2,{\"a\":1}]"))
    expect(evaluate("return cjson.decode('[1,2,null]')[3] == cjson.null")).toEqual(Resp.integer(1))
    expect(evaluate("return bit.tohex(bit.band(0xff, 0x0f))")).toEqual(Resp.bulk("0000000f"))
    expect(evaluate("return os")).toEqual(Resp.error("ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: sha, on @user_script:1."))
    expect(evaluate("return loadstring(string.dump(function() end))")).toEqual(Resp.nullBulk)
  })
  it("converts RESP3 replies after redis.setresp(3)", () => {
    expect(evaluate("redis.setresp(3) local m = redis.call('hgetall', 'h') return m.map.f")).toEqual(Resp.bulk("v"))
  })
  it("kills a looping script from the count hook and yields it past the busy threshold", () => {
    const compiled = engine.compile("local i = 0 while true do i = i + 1 end", "user_script")
    if ("error" in compiled) throw new Error(compiled.error)
    const run = newRun(0)
    const first = engine.start(compiled.ref, run)
    expect(first._tag).toBe("Yielded")
    run.killed = true
    const second = engine.resume()
    expect(second).toEqual({
      _tag: "Done",
      reply: Resp.error("ERR Script killed by user with SCRIPT KILL... script: sha, on @user_script:1.")
    })
    expect(evaluate("return 1")).toEqual(Resp.integer(1))
  })
})
