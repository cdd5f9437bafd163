-- wrk script: send requests for unique paths under /learn/<run>/ (args after `--`: run id, count,
-- marker file). The backend answers each with a signal, so each teaches one rule. After `count`
-- responses the thread stops and writes the marker file: wrk itself runs until its duration ends,
-- so the bench watches for the file and interrupts wrk (which still prints its report).
local prefix
local count = 0
local marker
local sent = 0
local received = 0

function init(args)
  prefix = "/learn/" .. args[1] .. "/"
  count = tonumber(args[2])
  marker = args[3]
end

function request()
  sent = sent + 1
  return wrk.format("GET", prefix .. sent)
end

function response()
  received = received + 1
  if received == count then
    local f = io.open(marker, "w")
    f:write(tostring(received))
    f:close()
    wrk.thread:stop()
  end
end
