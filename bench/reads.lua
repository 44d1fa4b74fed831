-- wrk script for the benchmark's reads: a path per request, picked from a file.
--
--   wrk ... -s bench/reads.lua URL -- PATHS_FILE HOT HOT_SHARE SEED
--
-- PATHS_FILE holds one path a line, most read first (written by bench/traffic.py). HOT_SHARE of
-- the requests go to one of the first HOT paths, the others to one of the rest, each uniformly;
-- every thread draws from its own seed (SEED * 1000 + its number), so a run reads the same
-- sequence again. At the end the answers are counted by status and by the X-Page-Cache and X-Cache
-- headers: "statuses 200=...", "x-page-cache hit=... miss=...", "x-cache HIT=... MISS=...".

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if line ~= "" then
         table.insert(paths, line)
      end
   end
   hot = tonumber(args[2])
   hot_share = tonumber(args[3])
   math.randomseed(tonumber(args[4]) * 1000 + id)
   statuses, page_cache, cdn_cache = {}, {}, {}
end

function request()
   local index
   if #paths <= hot or math.random() < hot_share then
      index = math.random(1, hot)
   else
      index = math.random(hot + 1, #paths)
   end
   return wrk.format("GET", paths[index])
end

local function count(counts, value)
   value = value or "none"
   counts[value] = (counts[value] or 0) + 1
end

function response(status, headers, body)
   count(statuses, status)
   count(page_cache, headers["X-Page-Cache"] or headers["x-page-cache"])
   count(cdn_cache, headers["X-Cache"] or headers["x-cache"])
end

local function total(name)
   local totals = {}
   for _, thread in ipairs(threads) do
      for value, n in pairs(thread:get(name)) do
         totals[value] = (totals[value] or 0) + n
      end
   end
   local parts = {}
   for value, n in pairs(totals) do
      table.insert(parts, value .. "=" .. n)
   end
   table.sort(parts)
   return table.concat(parts, " ")
end

function done(summary, latency, requests)
   io.write("statuses " .. total("statuses") .. "\n")
   io.write("x-page-cache " .. total("page_cache") .. "\n")
   io.write("x-cache " .. total("cdn_cache") .. "\n")
end
