-- PUT a changed name and priority to each of the task ids given after `--` (comma-separated),
-- in turn, so every request is a real change (an update and its event) and concurrent
-- requests rarely wait on the same row. bench/run.py passes the Authorization header with -H.
local ids = {}
local n = 0

function init(args)
  for id in string.gmatch(args[1] or "", "[^,]+") do
    ids[#ids + 1] = id
  end
  -- Each wrk thread has its own Lua state: start the threads at different ids.
  n = math.random(0, 1000)
end

function request()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local priority = (n % 2 == 0) and "high" or "low"
  local body = string.format('{"name": "Bench update %d", "priority": "%s"}', n, priority)
  -- wrk.headers holds the Authorization header from -H; a table of our own would drop it.
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("PUT", "/v1/tasks/" .. id, wrk.headers, body)
end

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "report.lua")
