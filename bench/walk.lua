-- The light walker: a wrk script that walks the guide the way a browser without JavaScript does, one walker per
-- connection, so that 200 walkers at once cost the machine little and the latency measured is the server's.
--
--   wrk -t200 -c200 -d30s --timeout 10s -s bench/walk.lua http://127.0.0.1:8000 -- \
--       /it/guide/blocked-number/start/ /en/guide/blocked-number/start/
--
-- wrk keeps one Lua state per thread and, with one connection per thread (-t N -c N), asks that state for the
-- next request only after the previous response: each thread is one walker with its own cookies and page.
-- bench/pages.py runs it (walkers section) and reads the JSON line that done() prints.
--
-- Each walker: GET a first step (the arguments after "--", chosen at random; default the Italian guide), pick a
-- random answer from the page's answer form (a radio `answer`; an information step's hidden `answer`; a checklist's
-- boxes `items`: none, one or two of them at random), POST it with the form's hidden fields and the walker's
-- cookies (a CSRF token if the page still has one; Origin and Sec-Fetch-Site as a browser sends them), follow the
-- 303 with a GET, and so on until a page marks an outcome (`data-outcome=` and a `data-session-ref` code); then
-- start again with no cookies. Pages come gzip-compressed, as a browser asks for them (inflated through LuaJIT's
-- FFI and zlib; without them the script asks for uncompressed pages and says so).
--
-- An error (the walk starts again; the run fails in bench/pages.py): a status other than 200 to a GET or 303 to a
-- POST, a 303 without Location or without the walk cookie, a page that is neither a step with an answer form nor an
-- outcome, an outcome without its reference code, a walk longer than MAX_STEPS.
--
-- wrk keeps one value per header name, so a response that set two cookies at once would lose one: the walk cookie
-- is checked on every answer's 303, which is where it must be.

local MAX_STEPS = 25
local MAX_MESSAGES = 5

-- Per thread (each thread has its own Lua state) ------------------------------------------------------------

local starts = {}
local origin = ""
local cookies = {}
local pending = nil -- the request sent: {method=, path=, body=, referer=}
local nxt = nil -- the next request to send
local steps = 0
local gzip = nil -- the inflate function, when LuaJIT's FFI and zlib are there
-- What done() adds up over the threads (read with thread:get, so plain globals).
walks_started, outcomes, answers, errors, messages, inflates = 0, 0, 0, 0, "", false

-- Parsing (pure functions: tests/bench/test_walk_lua.py drives them through wrk) ------------------------------

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }

function unescape(text)
  text = text:gsub("&#[xX](%x+);", function(hex) return string.char(tonumber(hex, 16)) end)
  text = text:gsub("&#(%d+);", function(dec) return string.char(tonumber(dec)) end)
  return (text:gsub("&(%a+);", function(name) return ENTITIES[name] or ("&" .. name .. ";") end))
end

function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function attribute(tag, name)
  local value = tag:match("%s" .. name .. '="([^"]*)"') or tag:match("%s" .. name .. "='([^']*)'")
  return value and unescape(value)
end

function path_of(url)
  local path = url:gsub("^%a+://[^/]+", "")
  return (path:gsub("[?#].*$", ""))
end

-- The page's answer form: a POST form whose action is the page's own path, with an `answer` input or checkboxes.
-- Returns its fields as a list of {name, value} pairs, the answer chosen at random, or nil and why not.
function answer_form(page, path, random)
  for form_tag, inner in page:gmatch("<form(%s[^>]*)>(.-)</form>") do
    local method = (attribute(form_tag, "method") or "get"):lower()
    local action = attribute(form_tag, "action") or path
    if method == "post" and path_of(action) == path then
      local fields, radios, boxes, has_answer = {}, {}, {}, false
      for tag in inner:gmatch("<input(%s[^>]*)>") do
        local name, kind = attribute(tag, "name"), (attribute(tag, "type") or "text"):lower()
        if name then
          if name == "answer" then has_answer = true end
          if kind == "radio" and name == "answer" then
            radios[#radios + 1] = attribute(tag, "value")
          elseif kind == "checkbox" then
            boxes[#boxes + 1] = { name, attribute(tag, "value") or "on" }
          elseif kind == "hidden" or kind == "text" then
            fields[#fields + 1] = { name, attribute(tag, "value") or "" }
          end
        end
      end
      if #radios > 0 then
        fields[#fields + 1] = { "answer", radios[random(#radios)] }
        return fields
      elseif #boxes > 0 then
        -- Nothing, one box or two, so that every group (and "nothing ticked") comes up.
        local ticked = {}
        for _ = 1, random(3) - 1 do ticked[random(#boxes)] = true end
        for index, box in ipairs(boxes) do
          if ticked[index] then fields[#fields + 1] = box end
        end
        return fields
      elseif has_answer then
        return fields -- an information step: its hidden answer ("continue")
      end
    end
  end
  return nil, "neither an outcome nor an answer form"
end

function form_body(fields)
  local parts = {}
  for _, field in ipairs(fields) do parts[#parts + 1] = urlencode(field[1]) .. "=" .. urlencode(field[2]) end
  return table.concat(parts, "&")
end

-- What a GET's page is: "outcome" (with its reference code), or "step" and the POST to send, or nil and why.
function read_page(page, path, random)
  if page:find('data-outcome="', 1, true) then
    local ref = page:match('data%-session%-ref="([^"]+)"')
    if not ref or ref:match("^%s*$") then return nil, "an outcome without a data-session-ref" end
    return "outcome", ref
  end
  local fields, why = answer_form(page, path, random)
  if not fields then return nil, why end
  return "step", form_body(fields)
end

-- name, value from a Set-Cookie header (value nil: the cookie is deleted).
function set_cookie(header)
  local name, value = header:match("^%s*([^=;%s]+)=([^;]*)")
  if not name then return nil end
  local lower = header:lower()
  if lower:find("max%-age=0") or lower:find("expires=thu, 01 jan 1970") then value = nil end
  return name, value
end

-- gzip through LuaJIT's FFI and the system's zlib -------------------------------------------------------------

local function load_gzip()
  local ok, ffi = pcall(require, "ffi")
  if not ok then return nil end
  local loaded, zlib = pcall(ffi.load, "z")
  if not loaded then loaded, zlib = pcall(ffi.load, "libz.so.1") end
  if not loaded then return nil end
  pcall(ffi.cdef, [[
    typedef struct walk_z_stream {
      const char *next_in; unsigned int avail_in; unsigned long total_in;
      unsigned char *next_out; unsigned int avail_out; unsigned long total_out;
      const char *msg; void *state; void *zalloc; void *zfree; void *opaque;
      int data_type; unsigned long adler; unsigned long reserved;
    } walk_z_stream;
    int inflateInit2_(walk_z_stream *strm, int windowBits, const char *version, int stream_size);
    int inflate(walk_z_stream *strm, int flush);
    int inflateEnd(walk_z_stream *strm);
    const char *zlibVersion(void);
  ]])
  local size = 65536
  local buffer = ffi.new("unsigned char[?]", size)
  return function(data)
    local stream = ffi.new("walk_z_stream")
    if zlib.inflateInit2_(stream, 31, zlib.zlibVersion(), ffi.sizeof(stream)) ~= 0 then return nil end
    stream.next_in, stream.avail_in = data, #data
    local parts, rc = {}, 0
    repeat
      stream.next_out, stream.avail_out = buffer, size
      rc = zlib.inflate(stream, 0)
      if rc ~= 0 and rc ~= 1 then break end
      parts[#parts + 1] = ffi.string(buffer, size - stream.avail_out)
    until rc == 1 or (stream.avail_in == 0 and stream.avail_out ~= 0)
    zlib.inflateEnd(stream)
    if rc ~= 1 then return nil end
    return table.concat(parts)
  end
end

-- The walker ----------------------------------------------------------------------------------------------------

local function fail(why)
  errors = errors + 1
  if errors <= MAX_MESSAGES then
    messages = messages .. (pending and (pending.method .. " " .. pending.path .. ": ") or "") .. why .. "\n"
  end
end

local function begin()
  cookies, steps = {}, 0
  walks_started = walks_started + 1
  nxt = { method = "GET", path = starts[math.random(#starts)] }
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[#threads + 1] = thread
end

function init(args)
  for _, path in ipairs(args) do starts[#starts + 1] = path end
  if #starts == 0 then starts[1] = "/it/guide/blocked-number/start/" end
  math.randomseed((id or 1) * 7919 + os.time())
  origin = (wrk.scheme or "http") .. "://" .. wrk.headers["Host"]
  gzip = load_gzip()
  inflates = gzip ~= nil
  begin()
end

-- Called once more than sent: wrk calls it at start to check the script, so it reads `nxt` without consuming it.
function request()
  pending = nxt
  local headers = { ["User-Agent"] = "portal-bench-walk.lua/1" }
  if gzip then headers["Accept-Encoding"] = "gzip" end
  local jar = {}
  for name, value in pairs(cookies) do jar[#jar + 1] = name .. "=" .. value end
  if #jar > 0 then headers["Cookie"] = table.concat(jar, "; ") end
  headers["Sec-Fetch-Mode"], headers["Sec-Fetch-Dest"] = "navigate", "document"
  headers["Sec-Fetch-Site"] = pending.referer and "same-origin" or "none"
  if pending.referer then headers["Referer"] = origin .. pending.referer end
  if pending.method == "POST" then
    headers["Origin"] = origin
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(pending.method, pending.path, headers, pending.body)
end

function response(status, headers, body)
  local location, encoding, walk_cookie = nil, nil, false
  for name, value in pairs(headers) do
    local lower = name:lower()
    if lower == "set-cookie" then
      local cookie, content = set_cookie(value)
      if cookie then
        cookies[cookie] = content
        if cookie == "walk" and content then walk_cookie = true end
      end
    elseif lower == "location" then
      location = value
    elseif lower == "content-encoding" then
      encoding = value:lower()
    end
  end
  if pending.method == "POST" then
    if status ~= 303 then
      fail("status " .. status .. " (303 expected)")
      return begin()
    elseif not location then
      fail("303 without Location")
      return begin()
    elseif not walk_cookie then
      fail("303 without the walk cookie")
      return begin()
    end
    answers = answers + 1
    nxt = { method = "GET", path = path_of(location) .. (location:match("%?[^#]*") or ""), referer = pending.path }
    return
  end
  if status ~= 200 then
    fail("status " .. status .. " (200 expected)")
    return begin()
  end
  if encoding == "gzip" then
    body = gzip and gzip(body)
    if not body then
      fail("a gzip body that does not inflate")
      return begin()
    end
  end
  local path = path_of(pending.path)
  local kind, post = read_page(body, path, math.random)
  if kind == "outcome" then
    outcomes = outcomes + 1
    return begin()
  elseif not kind then
    fail(post)
    return begin()
  end
  steps = steps + 1
  if steps > MAX_STEPS then
    fail("no outcome after " .. MAX_STEPS .. " steps")
    return begin()
  end
  nxt = { method = "POST", path = path, body = post, referer = pending.path }
end

-- One JSON line for bench/pages.py: single requests' latency (microseconds, from wrk) and the walkers' counts.
function done(summary, latency, requests)
  local total = { walks_started = 0, outcomes = 0, answers = 0, errors = 0 }
  local text = ""
  for _, thread in ipairs(threads) do
    for key in pairs(total) do total[key] = total[key] + (tonumber(thread:get(key)) or 0) end
    text = text .. (thread:get("messages") or "")
  end
  local function quote(s)
    return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  end
  local wrk_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WALK-JSON {"requests": %d, "seconds": %.3f, "requests_per_second": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "walks_started": %d, "outcomes": %d, "answers": %d, "errors": %d, ' ..
    '"status_errors": %d, "socket_errors": %d, "timeouts": %d, "gzip": %s, "messages": %s}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total.walks_started, total.outcomes, total.answers, total.errors, summary.errors.status,
    wrk_errors, summary.errors.timeout, tostring(threads[1] and threads[1]:get("inflates") == true), quote(text)))
end
