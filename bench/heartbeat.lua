-- wrk script of bench/heartbeat.py: each request is the next learner's heartbeat report.
-- $HEARTBEAT_LEARNERS names a file with one line per learner: cookie, token, kind (v: video,
-- s: slides) and where that learner is (a second of the video, or a page), separated by tabs.
-- A video report is the next ten seconds from there; a slides report names the next page.

local learners = {}
local cursor = 0
local counter = 1

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(os.getenv("HEARTBEAT_LEARNERS")) do
    local cookie, token, kind, place = line:match("^([^\t]+)\t([^\t]+)\t([vs])\t(%d+)$")
    learners[#learners + 1] = { cookie = cookie, token = token, kind = kind, place = tonumber(place) }
  end
  -- Each wrk thread starts at its own share of the learners.
  cursor = ((offset or 1) - 1) * math.floor(#learners / 2)
end

function request()
  cursor = cursor % #learners + 1
  local learner = learners[cursor]
  local body
  if learner.kind == "s" then
    learner.place = learner.place % 20 + 1
    body = string.format('{"token":"%s","page":%d}', learner.token, learner.place)
  else
    local start = learner.place
    learner.place = (start + 10) % 3500
    body = string.format('{"token":"%s","intervals":[[%d,%d]],"position":%d}', learner.token, start, start + 10, start + 10)
  end
  return wrk.format("POST", nil, { ["Cookie"] = learner.cookie, ["Content-Type"] = "text/plain" }, body)
end
