/**
 * Command vectors for scripting: EVAL / EVAL_RO / EVALSHA / SCRIPT EXISTS
 * with small random scripts built from statements over the string, hash
 * and set commands (redis.call and redis.pcall, errors raised and caught),
 * returning values of every shape the conversion handles (numbers with
 * fractions, booleans, nil holes, status and error tables, nested arrays).
 * Only replies with a defined order: unordered replies are sorted in Lua.
 */
import fc from "fast-check"
import type { Command } from "../resp/values.js"
import { type CommandVectorOptions, keyName, valueArgument } from "./commands.js"

/** One statement appending a value to the local `r`. */
const statement: fc.Arbitrary<string> = fc.constantFrom(
  "r[#r+1] = redis.call('SET', KEYS[1], ARGV[1])",
  "r[#r+1] = redis.call('GET', KEYS[1])",
  "r[#r+1] = redis.pcall('INCR', KEYS[1])",
  "r[#r+1] = redis.pcall('INCRBY', KEYS[2], 3)",
  "r[#r+1] = redis.pcall('APPEND', KEYS[1], ARGV[2])",
  "r[#r+1] = redis.pcall('HSET', KEYS[2], 'f', ARGV[1], 'g', 2.5)",
  "r[#r+1] = redis.pcall('HGET', KEYS[2], 'f')",
  "r[#r+1] = redis.pcall('HINCRBY', KEYS[2], 'n', 7)",
  "r[#r+1] = redis.pcall('SADD', KEYS[1], ARGV[1], ARGV[2])",
  "r[#r+1] = redis.pcall('SCARD', KEYS[1])",
  "r[#r+1] = redis.pcall('SISMEMBER', KEYS[1], ARGV[1])",
  "local m = redis.pcall('SMEMBERS', KEYS[1]) if m.err == nil then table.sort(m) end r[#r+1] = m",
  "r[#r+1] = redis.call('DEL', KEYS[2])",
  "r[#r+1] = redis.call('EXISTS', KEYS[1], KEYS[2])",
  "r[#r+1] = redis.call('TYPE', KEYS[1])",
  "r[#r+1] = redis.pcall('GET', KEYS[2])",
  "r[#r+1] = redis.pcall('nosuchcommand')",
  "r[#r+1] = redis.pcall('GET')",
  "r[#r+1] = tonumber(ARGV[1]) or 0",
  "r[#r+1] = #ARGV + #KEYS * 10",
  "r[#r+1] = 7 / 2",
  "r[#r+1] = -2.75",
  "r[#r+1] = true",
  "r[#r+1] = false",
  "r[#r+1] = tostring(2^53)",
  "r[#r+1] = {ok = 'fine'}",
  "r[#r+1] = redis.status_reply('STATUS')",
  "r[#r+1] = {1, 'two', {3, {4}}}",
  "r[#r+1] = cjson.encode({ARGV[1], 5, {true}})",
  "r[#r+1] = string.format('%d:%s', 42, ARGV[1])",
  "r[#r+1] = redis.sha1hex(ARGV[1])",
  "r[#r+1] = bit.band(0xff, tonumber(ARGV[1]) or 12)",
  "redis.setresp(3) r[#r+1] = type(redis.pcall('GET', KEYS[1])) r[#r+1] = redis.pcall('SISMEMBER', KEYS[1], 'x') redis.setresp(2)",
  "redis.setresp(3) local d = redis.pcall('INCRBYFLOAT', KEYS[2], '1.5') if type(d) == 'table' and d.err == nil then r[#r+1] = d end redis.setresp(2)",
  "r[#r+1] = {double = 3.25}",
  "r[#r+1] = redis.pcall('SET', KEYS[2], ARGV[2], 'PX', 100000)"
)

/** How the script ends. */
const ending: fc.Arbitrary<string> = fc.constantFrom(
  "return r",
  "return r[1]",
  "return r[#r]",
  "return #r",
  "return {r[1], nil, r[2]}",
  "return redis.call('INCR', KEYS[1])",
  "return redis.error_reply('custom failure')",
  "return {err = 'ERRCODE with a message'}",
  "error('thrown')",
  "return undefined_global",
  "newglobal = 1",
  "return 3.99"
)

const script: fc.Arbitrary<string> = fc.tuple(fc.array(statement, { minLength: 0, maxLength: 5 }), ending)
  .map(([statements, end]) => ["local r = {}", ...statements, end].join("\n"))

/** A well-formed EVAL (or EVAL_RO) of a random small script with two keys and two arguments. */
export const scriptCommand = (options: CommandVectorOptions = {}): fc.Arbitrary<Command> => {
  const key = keyName(options.keys)
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(script, key, key, valueArgument, valueArgument).map(([body, k1, k2, a1, a2]) => ["EVAL", body, "2", k1, k2, a1, a2]) },
    { weight: 1, arbitrary: fc.tuple(script, key, key, valueArgument, valueArgument).map(([body, k1, k2, a1, a2]) => ["EVAL_RO", body, "2", k1, k2, a1, a2]) },
    { weight: 1, arbitrary: fc.constantFrom<Command>(["SCRIPT", "LOAD", "return 1"], ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"], ["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffffffffffffffffffffffffffffffffffffffff"]) },
    { weight: 1, arbitrary: fc.constantFrom<Command>(["EVAL", "return 1", "-1"], ["EVAL", "return 1", "3", "a"], ["EVAL", "return 1", "x"], ["EVAL", "return 10 // 3", "0"]) }
  )
}
