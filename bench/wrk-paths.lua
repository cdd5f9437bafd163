-- wrk script: cycle through the request paths listed in a file (one per line), given after `--`.
local requests = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    requests[n] = wrk.format("GET", line)
  end
end

function request()
  i = i % n + 1
  return requests[i]
end
