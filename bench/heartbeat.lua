-- wrk script of bench/heartbeat.py: each request is the next learner's heartbeat report.
-- $HEARTBEAT_LEARNERS names a file with one line per learner: cookie, token, kind (v: video,
-- s: slides) and where that learner is (a second of the video, or a page), separated by tabs.
-- A video report is the next ten seconds from there; a slides report names the next page.
-- Each of the $HEARTBEAT_THREADS wrk threads reports for its own share of the learners and, as
-- static/js/player.js does, sends each learner's next report with the token of its last answer.

local learners = {}
local by_progress = {}
local cursor = 0
local counter = 1

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

-- The token's payload is base64url JSON starting {"p":<progress id>,: its first 24 characters are
-- enough to name the learner an answer belongs to.
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local VALUE = {}
for i = 1, #ALPHABET do VALUE[ALPHABET:sub(i, i)] = i - 1 end

local function progress_of(token)
  local bytes, bits, count = {}, 0, 0
  for char in token:sub(1, 24):gmatch(".") do
    bits = bits * 64 + (VALUE[char] or 0)
    count = count + 6
    if count >= 8 then
      count = count - 8
      local power = 2 ^ count
      bytes[#bytes + 1] = string.char(math.floor(bits / power))
      bits = bits % power
    end
  end
  return table.concat(bytes):match('"p":(%d+)')
end

function init(args)
  local threads = tonumber(os.getenv("HEARTBEAT_THREADS") or "1")
  local number = 0
  for line in io.lines(os.getenv("HEARTBEAT_LEARNERS")) do
    if number % threads == (offset or 1) - 1 then
      local cookie, token, kind, place = line:match("^([^\t]+)\t([^\t]+)\t([vs])\t(%d+)$")
      local learner = { cookie = cookie, token = token, kind = kind, place = tonumber(place) }
      learners[#learners + 1] = learner
      by_progress[progress_of(token)] = learner
    end
    number = number + 1
  end
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

function response(status, headers, body)
  local token = status == 200 and body:match('"token":%s*"([^"]+)"')
  if token then
    local learner = by_progress[progress_of(token)]
    if learner then learner.token = token end
  end
end
