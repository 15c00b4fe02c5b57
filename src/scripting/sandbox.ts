/**
 * The Lua side of the environment, run once when the engine starts, after
 * the libraries are open: Redis 7.0's scriptingInit / luaRegisterRedisAPI /
 * luaSetErrorMetatable / luaSetAllowListProtection, in Lua.
 *
 * - The error handler (script_lua.c's `__redis__err__handler`) makes every
 *   error a table `{err=..., source=..., line=...}`; here it reads a dead
 *   coroutine's stack (the script runs as a coroutine, see engine.ts).
 * - Globals are read-only: Redis patches its Lua with read-only tables; an
 *   unpatched VM gets the same answers through a proxy (an empty table whose
 *   reads go to the real one and whose writes fail), for _G and each library.
 *   `rawset` on a proxy and `pairs(_G)` differ (see the README).
 * - No os, io, package, require, loadfile, dofile, print, setfenv, getfenv,
 *   newproxy, module, debug; loadstring and load refuse bytecode.
 * - math.random is Redis's (rand48, reseeded at every script: deterministic).
 * - While FUNCTION LOAD runs a library's body, the globals are the narrower
 *   library API (`loading_library(true)`), as in Redis.
 */
export const sandboxPrelude = String.raw`
local dbg = debug
local real_loadstring, real_load, real_setmetatable = loadstring, load, setmetatable
local error, type, tostring, rawget = error, type, tostring, rawget

-- (co, err): the error as Redis's handler leaves it, from the dead coroutine's top frame.
local function error_of(co, err)
  local level = 0
  local i = dbg.getinfo(co, level, 'nSl')
  if i and i.what == 'C' then level = 1; i = dbg.getinfo(co, level, 'nSl') end
  -- the sandbox's own functions (the global guards) stand for Redis's C ones
  while i and i.source == '=sandbox' do level = level + 1; i = dbg.getinfo(co, level, 'nSl') end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

local function refuse_bytecode(chunk)
  if type(chunk) == 'string' and chunk:byte(1) == 27 then return nil, 'attempt to load a binary chunk' end
  return chunk
end
loadstring = function(s, name)
  local ok, why = refuse_bytecode(s)
  if ok == nil and why then return nil, why end
  return real_loadstring(s, name)
end
load = function(f, name)
  local parts = {}
  if type(f) == 'function' then
    while true do
      local piece = f()
      if piece == nil or piece == '' then break end
      parts[#parts + 1] = piece
    end
    f = table.concat(parts)
  end
  return loadstring(f, name)
end

for _, name in ipairs({'print', 'dofile', 'loadfile', 'require', 'module', 'setfenv', 'getfenv', 'newproxy', 'debug', 'os', 'io', 'package'}) do
  _G[name] = nil
end

local function readonly(real)
  return real_setmetatable({}, {
    __index = real,
    __newindex = function() error('Attempt to modify a readonly table', 2) end,
    __metatable = false
  })
end
-- FUNCTION LOAD's globals (function_lua.c luaEngineInitEngine's library API): a library's body sees only
-- redis.register_function, redis.log and its levels, and the version; any other name is a nonexistent global.
local function nonexistent(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
local library_redis = {}
for _, name in ipairs({'register_function', 'log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'}) do
  library_redis[name] = rawget(redis, name)
end
real_setmetatable(library_redis, {__index = nonexistent})

for _, name in ipairs({'string', 'table', 'math', 'coroutine', 'redis', 'cjson', 'bit', 'struct', 'cmsgpack'}) do
  if rawget(_G, name) ~= nil then _G[name] = readonly(_G[name]) end
end
local real_G = _G
real_setmetatable(real_G, {
  __index = function(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
})
local proxy = readonly(real_G)
real_G._G = proxy
local library_api = real_setmetatable({redis = readonly(library_redis)}, {__index = nonexistent})
-- (on): the globals a library's body runs with while on (luaEngineCreate swaps them the same way, so
-- that the functions it registers see the script globals when they run).
local proxy_meta = dbg.getmetatable(proxy)
local function loading_library(on)
  proxy_meta.__index = on and library_api or real_G
end
return proxy, real_G, error_of, loading_library
`
