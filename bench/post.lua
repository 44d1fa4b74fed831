-- wrk script for the benchmark's form POSTs (a comment, an information request).
--
--   wrk ... -s bench/post.lua URL -- COOKIE BODY
--
-- COOKIE is the Cookie header (the csrftoken of the browser that fetched the form). BODY is the
-- form, already URL-encoded by bench/run.py, with the token, the signed time trap and every hidden
-- field; each "__N__" in it becomes "<thread>-<counter>", so every request is a new person with a
-- new text (the site refuses duplicate comments and merges requests from one e-mail address).
-- The site's answers are counted by status and printed at the end as "statuses 302=... 403=...".

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   local origin = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = args[1]
   wrk.headers["Origin"] = origin
   wrk.headers["Referer"] = origin .. wrk.path
   template = args[2]
   statuses = {}
end

function request()
   counter = counter + 1
   local body = template:gsub("__N__", id .. "-" .. counter)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do
         totals[status] = (totals[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(totals) do
      table.insert(parts, status .. "=" .. count)
   end
   table.sort(parts)
   io.write("statuses " .. table.concat(parts, " ") .. "\n")
end
