-- A copy of the perfinfra branch's loadtest/rotate.lua, standing alone until both are merged (then use that one).
-- wrk script: rotate signed-in parents over their children's grades pages, and check every answer is the real page.
--
-- Reads LOADTEST_SESSIONS (lines "<sessionid> <student id> <username>", written by loadtest/sign_in.py). Each wrk thread starts
-- at a different line and walks the list, so every request is another parent or child. An answer counts as an error
-- unless it is 200 and holds the page's heading (a redirect to the login page is a 302, which wrk itself would count as
-- a success). At the end it prints `NAME VALUE UNIT` lines under LOADTEST_PREFIX (e.g. loadtest.parent_grades.c32).

local threads = {}
local marker = "<h1>Cijfers van "

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  pairs_ = {}
  for line in io.lines(os.getenv("LOADTEST_SESSIONS")) do
    local session, student = line:match("^(%S+)%s+(%d+)")
    if session then
      table.insert(pairs_, { "sessionid=" .. session, "/mijn/cijfers/" .. student .. "/" })
    end
  end
  if #pairs_ == 0 then
    error("no sessions in " .. tostring(os.getenv("LOADTEST_SESSIONS")))
  end
  -- Spread the threads over the list (thread ids are 0, 1, ...).
  next_ = (id * 7919) % #pairs_
  bad = 0
end

function request()
  next_ = next_ % #pairs_ + 1
  local pair = pairs_[next_]
  return wrk.format("GET", pair[2], { ["Cookie"] = pair[1] })
end

function response(status, headers, body)
  if status ~= 200 or not body:find(marker, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local prefix = os.getenv("LOADTEST_PREFIX") or "loadtest.parent_grades"
  local not_page = 0
  for _, thread in ipairs(threads) do
    not_page = not_page + thread:get("bad")
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("%s.rps %.1f req/s\n", prefix, summary.requests / seconds))
  io.write(string.format("%s.p50_ms %.1f ms\n", prefix, latency:percentile(50) / 1000))
  io.write(string.format("%s.p99_ms %.1f ms\n", prefix, latency:percentile(99) / 1000))
  io.write(string.format("%s.requests %d requests\n", prefix, summary.requests))
  io.write(string.format("%s.errors %d requests\n", prefix, not_page + socket_errors))
  io.write(string.format("%s.errors_not_page %d requests\n", prefix, not_page))
  io.write(string.format("%s.errors_timeout %d requests\n", prefix, e.timeout))
  io.write(string.format("%s.errors_socket %d requests\n", prefix, e.connect + e.read + e.write))
end
