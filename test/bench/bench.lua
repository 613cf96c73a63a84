-- SPDX-License-Identifier: Apache-2.0
-- wrk script for test/bench/run.sh: one request shape per run, non-2xx counted, one result line.
--
-- Configured by the environment (read in every Lua state wrk makes):
--   BENCH_METHOD   GET or POST (default GET)
--   BENCH_BODY     request body (static requests)
--   BENCH_CTYPE    Content-Type header
--   BENCH_AUTH     Authorization header value
--   BENCH_POOL     file of refresh tokens, one a line: switches to refresh mode
--   BENCH_PREFIX   body before the refresh token (refresh mode)
--   BENCH_THREADS  wrk's -t (refresh mode: thread N takes every Nth token)
--   BENCH_ROTATE   "1": the server rotates refresh tokens, so every token is
--                  used once and the one each answer returns goes back into
--                  the pool; "0": the server keeps them, use them round-robin
--
-- Refresh mode keeps one pool per wrk thread (each thread drives 16 of the 32
-- connections). A request takes a token off the front of its thread's pool; the
-- answer's new refresh token goes onto the back, so a token is never sent twice
-- and the pool size stays constant while every answer is a 2xx. The pool holds
-- more tokens than the thread has connections, so it never runs dry.
--
-- done() prints one line:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N mean_us=N non2xx=N
--         connect=N read=N write=N timeout=N pool_left=N statuses=CODE:N,CODE:N
-- (statuses: each non-2xx status answered, with its count; "-" when there was none)

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local ctype = os.getenv("BENCH_CTYPE")
local auth = os.getenv("BENCH_AUTH")
local pool_file = os.getenv("BENCH_POOL")
local prefix = os.getenv("BENCH_PREFIX") or "grant_type=refresh_token&refresh_token="
local rotate = os.getenv("BENCH_ROTATE") == "1"
-- wrk runs each thread's init() right after that thread's setup() and starts it
-- at once, so the thread count cannot be learnt in setup(): it comes from here.
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")

wrk.method = method
if body and body ~= "" then wrk.body = body end
if ctype and ctype ~= "" then wrk.headers["Content-Type"] = ctype end
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   non2xx = 0
   statuses = {}
   pool = {}
   if pool_file then
      local i = 0
      for line in io.lines(pool_file) do
         if line ~= "" then
            if i % nthreads == id - 1 then table.insert(pool, line) end
            i = i + 1
         end
      end
   end
end

if pool_file then
   -- Defined only in refresh mode: any other run keeps wrk's static request.
   request = function()
      local tok = table.remove(pool, 1) or ""
      if not rotate then table.insert(pool, tok) end
      return wrk.format(nil, nil, nil, prefix .. tok)
   end
end

function response(status, headers, resp_body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      statuses[status] = (statuses[status] or 0) + 1
      return
   end
   if pool_file and rotate then
      local tok = string.match(resp_body, '"refresh_token"%s*:%s*"([^"]+)"')
      if tok then table.insert(pool, tok) end
   end
end

-- "429:12,503:3" from every thread's tally of non-2xx statuses, or "-".
local function status_list()
   local sum, codes, out = {}, {}, {}
   for _, t in ipairs(threads) do
      for code, n in pairs(t:get("statuses") or {}) do
         if not sum[code] then table.insert(codes, code) end
         sum[code] = (sum[code] or 0) + n
      end
   end
   table.sort(codes)
   for _, code in ipairs(codes) do table.insert(out, code .. ":" .. sum[code]) end
   return #out > 0 and table.concat(out, ",") or "-"
end

function done(summary, latency, requests)
   local bad, left = 0, 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non2xx") or 0)
      local p = t:get("pool")
      if p then left = left + #p end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d mean_us=%d non2xx=%d " ..
      "connect=%d read=%d write=%d timeout=%d pool_left=%d statuses=%s\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.mean, bad, e.connect, e.read, e.write, e.timeout, left, status_list()))
end
