-- POST a small task; bench/run.py passes the Authorization header with -H.
wrk.method = "POST"
wrk.body = '{"name": "Bench task", "priority": "medium", "due_date": "2030-01-15"}'
wrk.headers["Content-Type"] = "application/json"

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
dofile(here .. "report.lua")
