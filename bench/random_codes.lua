-- wrk script: GET a random code from the file named by the first script argument, with the
-- headers a phone browser sends (so the classifier does its full work).
--   wrk -s bench/random_codes.lua URL -- CODES_FILE [USER_AGENTS_FILE]
-- With USER_AGENTS_FILE (one per line), each request carries one of them at random instead of
-- the one iPhone Safari agent: a mix for the classifier's user-agent cache to miss on.
local codes = {}
local agents = {}

init = function(args)
  for line in io.lines(args[1]) do
    codes[#codes + 1] = "/" .. line
  end
  if args[2] then
    for line in io.lines(args[2]) do
      agents[#agents + 1] = line
    end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
    .. "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
  wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
  wrk.headers["Accept-Language"] = "en-US,en;q=0.9"
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
end

request = function()
  if #agents > 0 then
    wrk.headers["User-Agent"] = agents[math.random(#agents)]
  end
  return wrk.format("GET", codes[math.random(#codes)])
end
