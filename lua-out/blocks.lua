
local ____modules = {}
local ____moduleCache = {}
local ____originalRequire = require
local function require(file, ...)
    if ____moduleCache[file] then
        return ____moduleCache[file].value
    end
    if ____modules[file] then
        local module = ____modules[file]
        local value = nil
        if (select("#", ...) > 0) then value = module(...) else value = module(file) end
        ____moduleCache[file] = { value = value }
        return value
    else
        if ____originalRequire then
            return ____originalRequire(file)
        else
            error("module '" .. file .. "' not found")
        end
    end
end
____modules = {
["lualib_bundle"] = function(...) 
local function __TS__StringCharCodeAt(self, index)
    if index ~= index then
        index = 0
    end
    if index < 0 then
        return 0 / 0
    end
    return string.byte(self, index + 1) or 0 / 0
end

local function __TS__StringSubstring(self, start, ____end)
    if ____end ~= ____end then
        ____end = 0
    end
    if ____end ~= nil and start > ____end then
        start, ____end = ____end, start
    end
    if start >= 0 then
        start = start + 1
    else
        start = 1
    end
    if ____end ~= nil and ____end < 0 then
        ____end = 0
    end
    return string.sub(self, start, ____end)
end

return {
  __TS__StringCharCodeAt = __TS__StringCharCodeAt,
  __TS__StringSubstring = __TS__StringSubstring
}
 end,
["core.answer"] = function(...) 
local ____exports = {}
____exports.STATUS_MASK = 1024
____exports.DRY_RUN_UNIT = 1024
____exports.BODY_UNIT = 2048
____exports.MAX_BODY_ID = 2097151
function ____exports.packAnswer(a)
    return a.status + (a.dryRun and ____exports.DRY_RUN_UNIT or 0) + a.bodyId * ____exports.BODY_UNIT
end
function ____exports.unpackAnswer(n)
    return {
        status = n % ____exports.STATUS_MASK,
        dryRun = math.floor(n / ____exports.DRY_RUN_UNIT) % 2 == 1,
        bodyId = math.floor(n / ____exports.BODY_UNIT)
    }
end
return ____exports
 end,
["core.bytes"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local xorByte
function xorByte(a, b)
    local r = 0
    local ____bit = 1
    do
        local k = 0
        while k < 8 do
            local x = math.floor(a / ____bit) % 2
            local y = math.floor(b / ____bit) % 2
            if x ~= y then
                r = r + ____bit
            end
            ____bit = ____bit * 2
            k = k + 1
        end
    end
    return r
end
--- Byte value at index i (0-based); -1 when out of range.
function ____exports.byteAt(s, i)
    if i < 0 or i >= #s then
        return -1
    end
    return __TS__StringCharCodeAt(s, i)
end
--- ASCII-only lowercase; bytes >= 0x80 are untouched (JS toLowerCase is Unicode-aware, Lua's is not).
function ____exports.asciiLower(s)
    local out = ""
    local start = 0
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if c >= 65 and c <= 90 then
                out = (out .. __TS__StringSubstring(s, start, i)) .. string.char(c + 32)
                start = i + 1
            end
            i = i + 1
        end
    end
    if start == 0 then
        return s
    end
    return out .. __TS__StringSubstring(s, start)
end
--- ASCII-only uppercase.
function ____exports.asciiUpper(s)
    local out = ""
    local start = 0
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if c >= 97 and c <= 122 then
                out = (out .. __TS__StringSubstring(s, start, i)) .. string.char(c - 32)
                start = i + 1
            end
            i = i + 1
        end
    end
    if start == 0 then
        return s
    end
    return out .. __TS__StringSubstring(s, start)
end
function ____exports.isDigit(c)
    return c >= 48 and c <= 57
end
function ____exports.isAlpha(c)
    return c >= 65 and c <= 90 or c >= 97 and c <= 122
end
--- Value of a hex digit byte, or -1.
function ____exports.hexValue(c)
    if c >= 48 and c <= 57 then
        return c - 48
    end
    if c >= 65 and c <= 70 then
        return c - 55
    end
    if c >= 97 and c <= 102 then
        return c - 87
    end
    return -1
end
local HEX = "0123456789ABCDEF"
--- "%XX" with uppercase hex for a byte.
function ____exports.percentEncodeByte(c)
    return ("%" .. __TS__StringSubstring(
        HEX,
        math.floor(c / 16),
        math.floor(c / 16) + 1
    )) .. __TS__StringSubstring(HEX, c % 16, c % 16 + 1)
end
--- RFC 7230 optional whitespace: space or horizontal tab.
function ____exports.isOws(c)
    return c == 32 or c == 9
end
--- Trim spaces and tabs at both ends.
function ____exports.trimOws(s)
    local a = 0
    local b = #s
    while a < b and ____exports.isOws(__TS__StringCharCodeAt(s, a)) do
        a = a + 1
    end
    while b > a and ____exports.isOws(__TS__StringCharCodeAt(s, b - 1)) do
        b = b - 1
    end
    return __TS__StringSubstring(s, a, b)
end
--- Parse a non-negative decimal integer made only of ASCII digits.
-- Returns -1 on any other byte, on empty input, or above maxValue.
-- Hand-written because parseInt and tonumber accept different things.
function ____exports.parseDecimal(s, maxValue)
    if #s == 0 or #s > 15 then
        return -1
    end
    local n = 0
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if not ____exports.isDigit(c) then
                return -1
            end
            n = n * 10 + (c - 48)
            i = i + 1
        end
    end
    if n > maxValue then
        return -1
    end
    return n
end
--- True when every byte is printable ASCII (0x21..0x7E) or a space.
function ____exports.isPrintableAscii(s)
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if c < 32 or c > 126 then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- Split on a single-byte separator; keeps empty fields.
function ____exports.splitOn(s, sep)
    local out = {}
    local start = 0
    do
        local i = 0
        while i < #s do
            if __TS__StringCharCodeAt(s, i) == sep then
                out[#out + 1] = __TS__StringSubstring(s, start, i)
                start = i + 1
            end
            i = i + 1
        end
    end
    out[#out + 1] = __TS__StringSubstring(s, start)
    return out
end
--- 32-bit FNV-1a over bytes. Written with arithmetic only: JS bit operators
-- work on int32 and Lua's on int64, so they disagree above 2^31.
function ____exports.fnv1a32(s)
    local h = 2166136261
    do
        local i = 0
        while i < #s do
            local low = h % 256
            h = h - low + xorByte(
                low,
                __TS__StringCharCodeAt(s, i)
            )
            local hi = math.floor(h / 65536)
            local lo = h % 65536
            h = (lo * 16777619 + hi * 16777619 % 65536 * 65536) % 4294967296
            i = i + 1
        end
    end
    return h
end
return ____exports
 end,
["core.contract"] = function(...) 
local ____exports = {}
--- Signal headers a backend may send. Lower-case, as HAProxy's header tables key them.
____exports.HEADERS = {resource = "x-edge-resource"}
--- Every signal header, for stripping from requests and responses.
____exports.SIGNAL_HEADERS = {____exports.HEADERS.resource}
--- Transaction variables. Set natively or by Lua; read by haproxy.cfg ACLs.
____exports.VARS = {
    path = "txn.eb_path",
    backend = "txn.eb_be",
    ruleExpiry = "txn.eb_exp",
    ruleKey = "txn.eb_key",
    ruleAnswer = "txn.eb_ans",
    blockStatus = "txn.eb_status",
    staticStatus = "txn.eb_static",
    signalOutcome = "txn.eb_signal",
    signalReason = "txn.eb_signal_reason",
    statKey = "txn.eb_stat"
}
--- Environment variable (set with `setenv` in haproxy.cfg's global section) naming the settings file.
____exports.SETTINGS_ENV = "EDGEBLOCK_SETTINGS"
--- Names registered with HAProxy by blocks.lua. Used as `lua.<name>` in haproxy.cfg.
____exports.LUA_NAMES = {learn = "edgeblock_learn", normalize = "edgeblock_normalize"}
--- Stick-table proxy holding the rules a backend taught: `<prefix><backend name>`.
____exports.RULE_TABLE_PREFIX = "eb_rules_"
--- Sticky counter slot used to count rule hits on blocked requests.
____exports.HIT_COUNTER = 2
--- Sticky counter slot used to count signal outcomes in the response phase.
____exports.STAT_COUNTER = 1
--- Stick-table proxy holding edgeblock's own counters (gpc0 per counter key).
____exports.STATS_TABLE = "eb_stats"
--- Which stick-table data field holds what, for every rule entry.
-- Only scalar fields are used: on 2.6 the CLI cannot set gpt/gpc array cells beyond 0.
____exports.RULE_FIELDS = {
    expiry = "gpt0",
    answer = "gpc0",
    ruleExpiry = "gpc1",
    created = "sess_cnt",
    reason = "server_id",
    hits = "http_req_cnt"
}
--- The `store` clause every rule table is declared with.
____exports.RULE_TABLE_STORE = "gpt0,gpc0,gpc1,sess_cnt,server_id,http_req_cnt"
return ____exports
 end,
["core.path"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local asciiLower = ____bytes.asciiLower
local byteAt = ____bytes.byteAt
local hexValue = ____bytes.hexValue
local isAlpha = ____bytes.isAlpha
local isDigit = ____bytes.isDigit
local percentEncodeByte = ____bytes.percentEncodeByte
____exports.DEFAULT_PATH_POLICY = {caseInsensitive = false, mergeSlashes = true, stripTrailingSlash = true}
--- RFC 3986 unreserved bytes: decoding them never changes what a URI means.
local function isUnreserved(c)
    return isAlpha(c) or isDigit(c) or c == 45 or c == 46 or c == 95 or c == 126
end
--- Step 1: percent-decode unreserved bytes, uppercase the hex of every other
-- escape, escape a stray `%` as `%25`, and escape bytes outside 0x21..0x7E.
-- After this, two spellings of the same bytes are the same string.
local function canonicalEscapes(s)
    local out = ""
    local i = 0
    local n = #s
    while i < n do
        local c = __TS__StringCharCodeAt(s, i)
        if c == 37 then
            local h1 = hexValue(byteAt(s, i + 1))
            local h2 = hexValue(byteAt(s, i + 2))
            if h1 >= 0 and h2 >= 0 then
                local v = h1 * 16 + h2
                out = out .. (isUnreserved(v) and string.char(v) or percentEncodeByte(v))
                i = i + 3
            else
                out = out .. "%25"
                i = i + 1
            end
        elseif c <= 32 or c >= 127 then
            out = out .. percentEncodeByte(c)
            i = i + 1
        else
            out = out .. string.char(c)
            i = i + 1
        end
    end
    return out
end
--- ASCII lowercase outside `%XX` escapes, so escapes keep their uppercase hex.
local function lowerOutsideEscapes(s)
    local out = ""
    local i = 0
    while i < #s do
        if __TS__StringCharCodeAt(s, i) == 37 then
            out = out .. __TS__StringSubstring(s, i, i + 3)
            i = i + 3
        else
            local j = i
            while j < #s and __TS__StringCharCodeAt(s, j) ~= 37 do
                j = j + 1
            end
            out = out .. asciiLower(__TS__StringSubstring(s, i, j))
            i = j
        end
    end
    return out
end
--- Step 2: RFC 3986 remove_dot_segments, plus optional slash merging.
-- Works on segments; `..` above the root stays at the root.
local function resolveSegments(s, policy)
    local input = {}
    local start = 1
    do
        local i = 1
        while i <= #s do
            if i == #s or __TS__StringCharCodeAt(s, i) == 47 then
                input[#input + 1] = __TS__StringSubstring(s, start, i)
                start = i + 1
            end
            i = i + 1
        end
    end
    local out = {}
    local lastIndex = #input - 1
    do
        local k = 0
        while k <= lastIndex do
            local seg = input[k + 1]
            if seg == ".." then
                if #out > 0 then
                    table.remove(out)
                end
            elseif seg == "." or seg == "" and (k == lastIndex or policy.mergeSlashes) then
            else
                out[#out + 1] = seg
            end
            k = k + 1
        end
    end
    if #out == 0 then
        return "/"
    end
    local joined = ""
    for ____, seg in ipairs(out) do
        joined = (joined .. "/") .. seg
    end
    local last = input[lastIndex + 1]
    if last == "" or last == "." or last == ".." then
        joined = joined .. "/"
    end
    return joined
end
--- Normalise a request path (query and fragment are cut off first).
-- The result is the key every rule and every lookup uses.
function ____exports.normalizePath(raw, policy, maxLength)
    local s = raw
    local q = (string.find(s, "?", nil, true) or 0) - 1
    if q >= 0 then
        s = __TS__StringSubstring(s, 0, q)
    end
    local f = (string.find(s, "#", nil, true) or 0) - 1
    if f >= 0 then
        s = __TS__StringSubstring(s, 0, f)
    end
    if #s == 0 then
        return {ok = false, error = "empty"}
    end
    if (string.byte(s, 1) or 0 / 0) ~= 47 then
        return {ok = false, error = "not-absolute"}
    end
    s = canonicalEscapes(s)
    s = resolveSegments(s, policy)
    if policy.stripTrailingSlash and #s > 1 and __TS__StringCharCodeAt(s, #s - 1) == 47 then
        s = __TS__StringSubstring(s, 0, #s - 1)
    end
    if policy.caseInsensitive then
        s = lowerOutsideEscapes(s)
    end
    if #s > maxLength then
        return {ok = false, error = "too-long"}
    end
    return {ok = true, path = s}
end
--- What the request-side converter returns: the normalised path, or the raw
-- path unchanged when it cannot be normalised (no rule can match it then,
-- because every rule path is absolute and bounded).
function ____exports.lookupKeyForPath(raw, policy)
    local r = ____exports.normalizePath(raw, policy, 1 << 30)
    return r.ok and r.path or raw
end
--- True when HAProxy can skip the Lua converter: the native ACL in the
-- rendered config sends a path to Lua only if this is false. Kept here so the
-- property "fast path == normalizePath" is tested in both runtimes.
function ____exports.isFastPath(raw, policy)
    if #raw == 0 or (string.byte(raw, 1) or 0 / 0) ~= 47 then
        return false
    end
    if (string.find(raw, "//", nil, true) or 0) - 1 >= 0 or (string.find(raw, "/.", nil, true) or 0) - 1 >= 0 or (string.find(raw, "%", nil, true) or 0) - 1 >= 0 then
        return false
    end
    if (string.find(raw, "?", nil, true) or 0) - 1 >= 0 or (string.find(raw, "#", nil, true) or 0) - 1 >= 0 then
        return false
    end
    if policy.stripTrailingSlash and #raw > 1 and __TS__StringCharCodeAt(raw, #raw - 1) == 47 then
        return false
    end
    do
        local i = 0
        while i < #raw do
            local c = __TS__StringCharCodeAt(raw, i)
            if c <= 32 or c >= 127 then
                return false
            end
            i = i + 1
        end
    end
    return true
end
return ____exports
 end,
["core.runtime-cmd"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local hexValue = ____bytes.hexValue
local parseDecimal = ____bytes.parseDecimal
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
--- Escape one CLI argument: the 2.6 parser splits on space/tab, cuts commands on `;`, and treats `\` as escape.
function ____exports.escapeCliArg(s)
    local out = ""
    local start = 0
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if c == 92 or c == 59 or c == 32 or c == 9 then
                out = ((out .. __TS__StringSubstring(s, start, i)) .. "\\") .. string.char(c)
                start = i + 1
            end
            i = i + 1
        end
    end
    return start == 0 and s or out .. __TS__StringSubstring(s, start)
end
--- `set table` command that upserts one rule entry (one line, no trailing newline).
function ____exports.setRuleCommand(____table, key, d)
    return (((((((((((((((((((((("set table " .. ____exports.escapeCliArg(____table)) .. " key ") .. ____exports.escapeCliArg(key)) .. " data.") .. RULE_FIELDS.expiry) .. " ") .. tostring(d.expiry)) .. " data.") .. RULE_FIELDS.answer) .. " ") .. tostring(d.answer)) .. " data.") .. RULE_FIELDS.ruleExpiry) .. " ") .. tostring(d.ruleExpiry)) .. " data.") .. RULE_FIELDS.created) .. " ") .. tostring(d.created)) .. " data.") .. RULE_FIELDS.reason) .. " ") .. tostring(d.reason)
end
--- `clear table ... key` command removing one entry.
function ____exports.clearKeyCommand(____table, key)
    return (("clear table " .. ____exports.escapeCliArg(____table)) .. " key ") .. ____exports.escapeCliArg(key)
end
--- Undo the escaping `show table` applies to keys: `\\` for a backslash, `\xHH` for other bytes.
function ____exports.unescapeDump(s)
    if (string.find(s, "\\", nil, true) or 0) - 1 < 0 then
        return s
    end
    local out = ""
    local i = 0
    while i < #s do
        do
            local c = __TS__StringCharCodeAt(s, i)
            if c == 92 and i + 1 < #s then
                local n = __TS__StringCharCodeAt(s, i + 1)
                if n == 120 and i + 3 < #s and hexValue(__TS__StringCharCodeAt(s, i + 2)) >= 0 and hexValue(__TS__StringCharCodeAt(s, i + 3)) >= 0 then
                    out = out .. string.char(hexValue(__TS__StringCharCodeAt(s, i + 2)) * 16 + hexValue(__TS__StringCharCodeAt(s, i + 3)))
                    i = i + 4
                    goto __continue10
                end
                local simple = n == 116 and 9 or (n == 110 and 10 or (n == 114 and 13 or (n == 101 and 27 or n)))
                out = out .. string.char(simple)
                i = i + 2
                goto __continue10
            end
            out = out .. string.char(c)
            i = i + 1
        end
        ::__continue10::
    end
    return out
end
--- Parse one entry line of `show table`:
-- `0x55..: key=/a b use=0 exp=3599 gpt0=1 gpc0=2`. The key runs up to ` use=`,
-- so keys with spaces survive.
function ____exports.parseTableLine(line)
    local k = (string.find(line, ": key=", nil, true) or 0) - 1
    if k < 0 then
        return nil
    end
    local u = (string.find(
        line,
        " use=",
        math.max(k + 1, 1),
        true
    ) or 0) - 1
    if u < 0 then
        return nil
    end
    local key = ____exports.unescapeDump(__TS__StringSubstring(line, k + 6, u))
    local data = {}
    local expMs = -1
    for ____, word in ipairs(splitOn(
        __TS__StringSubstring(line, u + 1),
        32
    )) do
        do
            local eq = (string.find(word, "=", nil, true) or 0) - 1
            if eq <= 0 then
                goto __continue16
            end
            local name = __TS__StringSubstring(word, 0, eq)
            local v = parseDecimal(
                __TS__StringSubstring(word, eq + 1),
                999999999999999
            )
            if v < 0 then
                goto __continue16
            end
            if name == "exp" then
                expMs = v
            elseif name ~= "use" then
                data[name] = v
            end
        end
        ::__continue16::
    end
    return {key = key, expMs = expMs, data = data}
end
return ____exports
 end,
["core.rule"] = function(...) 
local ____exports = {}
local ____answer = require("core.answer")
local packAnswer = ____answer.packAnswer
local ____bytes = require("core.bytes")
local fnv1a32 = ____bytes.fnv1a32
--- Stable id of a reason label, the same in every thread, process and runtime. Below 2^31 (server_id is signed).
function ____exports.reasonId(label)
    return fnv1a32(label) % 2147483648
end
--- Entry data for a rule learned at `now` (epoch seconds).
function ____exports.ruleEntry(r, now)
    local expiry = now + r.ttl
    return {
        expiry = expiry,
        ruleExpiry = expiry,
        answer = packAnswer({status = r.status, dryRun = r.dryRun, bodyId = 0}),
        created = now,
        reason = ____exports.reasonId(r.reason)
    }
end
return ____exports
 end,
["core.settings"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local isDigit = ____bytes.isDigit
local parseDecimal = ____bytes.parseDecimal
local splitOn = ____bytes.splitOn
local trimOws = ____bytes.trimOws
local ____path = require("core.path")
local DEFAULT_PATH_POLICY = ____path.DEFAULT_PATH_POLICY
____exports.DEFAULT_ALLOWED_STATUSES = {
    400,
    401,
    403,
    404,
    405,
    406,
    408,
    409,
    410,
    411,
    413,
    414,
    415,
    418,
    421,
    422,
    425,
    429,
    431,
    451,
    500,
    501,
    502,
    503,
    504
}
____exports.DEFAULT_SETTINGS = {
    runtimeApi = "unix@/tmp/edgeblock-admin.sock",
    defaultTtl = 3600,
    maxTtl = 86400 * 7,
    defaultStatus = 404,
    allowedStatuses = ____exports.DEFAULT_ALLOWED_STATUSES,
    maxSignalBytes = 1024,
    maxPathLength = 254,
    pathPolicy = DEFAULT_PATH_POLICY
}
local function boolText(b)
    return b and "on" or "off"
end
--- Render settings as the text blocks.lua reads.
function ____exports.formatSettings(s)
    local statuses = ""
    do
        local i = 0
        while i < #s.allowedStatuses do
            statuses = (statuses .. (i > 0 and "," or "")) .. tostring(s.allowedStatuses[i + 1])
            i = i + 1
        end
    end
    return ((((((((((((((((((((((((((((("# edgeblock settings, rendered by `edgeblock render`; read by blocks.lua at load time\n" .. "runtime_api ") .. s.runtimeApi) .. "\n") .. "default_ttl ") .. tostring(s.defaultTtl)) .. "\n") .. "max_ttl ") .. tostring(s.maxTtl)) .. "\n") .. "default_status ") .. tostring(s.defaultStatus)) .. "\n") .. "allowed_statuses ") .. statuses) .. "\n") .. "max_signal_bytes ") .. tostring(s.maxSignalBytes)) .. "\n") .. "max_path_length ") .. tostring(s.maxPathLength)) .. "\n") .. "path_case_insensitive ") .. boolText(s.pathPolicy.caseInsensitive)) .. "\n") .. "path_merge_slashes ") .. boolText(s.pathPolicy.mergeSlashes)) .. "\n") .. "path_strip_trailing_slash ") .. boolText(s.pathPolicy.stripTrailingSlash)) .. "\n"
end
--- Parse the settings text; unknown keys and bad values are errors naming the line.
function ____exports.parseSettings(text)
    local m = {
        runtimeApi = ____exports.DEFAULT_SETTINGS.runtimeApi,
        defaultTtl = ____exports.DEFAULT_SETTINGS.defaultTtl,
        maxTtl = ____exports.DEFAULT_SETTINGS.maxTtl,
        defaultStatus = ____exports.DEFAULT_SETTINGS.defaultStatus,
        allowedStatuses = {},
        maxSignalBytes = ____exports.DEFAULT_SETTINGS.maxSignalBytes,
        maxPathLength = ____exports.DEFAULT_SETTINGS.maxPathLength,
        caseInsensitive = DEFAULT_PATH_POLICY.caseInsensitive,
        mergeSlashes = DEFAULT_PATH_POLICY.mergeSlashes,
        stripTrailingSlash = DEFAULT_PATH_POLICY.stripTrailingSlash
    }
    for ____, s in ipairs(____exports.DEFAULT_SETTINGS.allowedStatuses) do
        local ____m_allowedStatuses_0 = m.allowedStatuses
        ____m_allowedStatuses_0[#____m_allowedStatuses_0 + 1] = s
    end
    local errors = {}
    local lines = splitOn(text, 10)
    do
        local n = 0
        while n < #lines do
            do
                local line = trimOws((string.find(lines[n + 1], "\r", nil, true) or 0) - 1 >= 0 and __TS__StringSubstring(
                    lines[n + 1],
                    0,
                    (string.find(lines[n + 1], "\r", nil, true) or 0) - 1
                ) or lines[n + 1])
                if #line == 0 or (string.byte(line, 1) or 0 / 0) == 35 then
                    goto __continue10
                end
                local sp = (string.find(line, " ", nil, true) or 0) - 1
                local key = sp < 0 and line or __TS__StringSubstring(line, 0, sp)
                local value = sp < 0 and "" or trimOws(__TS__StringSubstring(line, sp + 1))
                local where = ((("settings line " .. tostring(n + 1)) .. " (") .. key) .. ")"
                local function num(max, min)
                    local v = parseDecimal(value, max)
                    if v < min then
                        errors[#errors + 1] = ((((((where .. ": expected an integer from ") .. tostring(min)) .. " to ") .. tostring(max)) .. ", got '") .. value) .. "'"
                    end
                    return v
                end
                local function flag()
                    if value ~= "on" and value ~= "off" then
                        errors[#errors + 1] = ((where .. ": expected on or off, got '") .. value) .. "'"
                    end
                    return value == "on"
                end
                if key == "runtime_api" then
                    if #value == 0 then
                        errors[#errors + 1] = where .. ": empty address"
                    end
                    m.runtimeApi = value
                elseif key == "default_ttl" then
                    m.defaultTtl = num(4294967295, 1)
                elseif key == "max_ttl" then
                    m.maxTtl = num(4294967295, 1)
                elseif key == "default_status" then
                    m.defaultStatus = num(599, 400)
                elseif key == "max_signal_bytes" then
                    m.maxSignalBytes = num(65536, 16)
                elseif key == "max_path_length" then
                    m.maxPathLength = num(4096, 1)
                elseif key == "path_case_insensitive" then
                    m.caseInsensitive = flag()
                elseif key == "path_merge_slashes" then
                    m.mergeSlashes = flag()
                elseif key == "path_strip_trailing_slash" then
                    m.stripTrailingSlash = flag()
                elseif key == "allowed_statuses" then
                    m.allowedStatuses = {}
                    for ____, part in ipairs(splitOn(value, 44)) do
                        local v = parseDecimal(
                            trimOws(part),
                            599
                        )
                        if v < 400 or not isDigit(string.byte(part, 1) or 0 / 0) then
                            errors[#errors + 1] = ((where .. ": '") .. part) .. "' is not a status from 400 to 599"
                        else
                            local ____m_allowedStatuses_1 = m.allowedStatuses
                            ____m_allowedStatuses_1[#____m_allowedStatuses_1 + 1] = v
                        end
                    end
                else
                    errors[#errors + 1] = where .. ": unknown setting"
                end
            end
            ::__continue10::
            n = n + 1
        end
    end
    if #errors > 0 then
        return {ok = false, errors = errors}
    end
    if m.defaultTtl > m.maxTtl then
        m.defaultTtl = m.maxTtl
    end
    return {ok = true, settings = {
        runtimeApi = m.runtimeApi,
        defaultTtl = m.defaultTtl,
        maxTtl = m.maxTtl,
        defaultStatus = m.defaultStatus,
        allowedStatuses = m.allowedStatuses,
        maxSignalBytes = m.maxSignalBytes,
        maxPathLength = m.maxPathLength,
        pathPolicy = {caseInsensitive = m.caseInsensitive, mergeSlashes = m.mergeSlashes, stripTrailingSlash = m.stripTrailingSlash}
    }}
end
return ____exports
 end,
["core.signal"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local asciiLower = ____bytes.asciiLower
local parseDecimal = ____bytes.parseDecimal
local trimOws = ____bytes.trimOws
local ____path = require("core.path")
local normalizePath = ____path.normalizePath
function ____exports.isAllowedStatus(status, settings)
    for ____, s in ipairs(settings.allowedStatuses) do
        if s == status then
            return true
        end
    end
    return false
end
____exports.REJECT_REASONS = {
    "malformed",
    "oversized",
    "duplicate",
    "status-not-allowed",
    "path-invalid",
    "no-request-path",
    "edge-error"
}
--- Label given to rules learned from the short form.
____exports.SHORT_FORM_REASON = "edge-resource"
--- `X-Edge-Resource` short form. `false` blocks the request's own path with the
-- default status; `false-<status>` with that status; `true` is a valid no-op.
-- 
-- @param values every line of the header, in order (empty when absent)
-- @param requestPath the raw request path captured in the request phase, or undefined
function ____exports.parseShortForm(values, requestPath, settings)
    if #values == 0 then
        return {kind = "none"}
    end
    if #values > 1 then
        return {
            kind = "reject",
            reason = "duplicate",
            detail = tostring(#values) .. " header lines"
        }
    end
    local raw = values[1]
    if #raw > settings.maxSignalBytes then
        return {
            kind = "reject",
            reason = "oversized",
            detail = (tostring(#raw) .. " bytes > ") .. tostring(settings.maxSignalBytes)
        }
    end
    local v = asciiLower(trimOws(raw))
    if v == "true" then
        return {kind = "ignore", why = "resource exists"}
    end
    local status = settings.defaultStatus
    if v ~= "false" then
        if #v < 7 or __TS__StringSubstring(v, 0, 6) ~= "false-" then
            return {kind = "reject", reason = "malformed", detail = "expected false, false-<status> or true"}
        end
        status = parseDecimal(
            __TS__StringSubstring(v, 6),
            999
        )
        if status < 0 or #v ~= 9 then
            return {kind = "reject", reason = "malformed", detail = "status must be three digits"}
        end
    end
    if not ____exports.isAllowedStatus(status, settings) then
        return {
            kind = "reject",
            reason = "status-not-allowed",
            detail = "status " .. tostring(status)
        }
    end
    if requestPath == nil then
        return {kind = "reject", reason = "no-request-path", detail = "path var not set"}
    end
    local p = normalizePath(requestPath, settings.pathPolicy, settings.maxPathLength)
    if not p.ok then
        return {kind = "reject", reason = "path-invalid", detail = p.error}
    end
    return {kind = "learn", rules = {{path = p.path, status = status, ttl = settings.defaultTtl, reason = ____exports.SHORT_FORM_REASON}}}
end
return ____exports
 end,
["lua.headers"] = function(...) 
local ____exports = {}
--- Every value of one header, in order. [T] HAProxy header tables start at index 0.
function ____exports.headerValues(headers, lowerName)
    local out = {}
    local t = headers[lowerName]
    if t == nil then
        return out
    end
    local i = 0
    while t[i] ~= nil do
        out[#out + 1] = t[i]
        i = i + 1
    end
    return out
end
return ____exports
 end,
["lua.log"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
--- One log line format for every edgeblock event: `edgeblock: <event> k=v ...`, values sanitised.
local function clean(v)
    local out = ""
    do
        local i = 0
        while i < #v and i < 200 do
            local c = __TS__StringCharCodeAt(v, i)
            out = out .. ((c < 33 or c > 126 or c == 34) and "_" or string.char(c))
            i = i + 1
        end
    end
    return out
end
function ____exports.logEvent(level, event, fields)
    local line = "edgeblock: " .. event
    for ____, ____value in ipairs(fields) do
        local k = ____value[1]
        local v = ____value[2]
        line = (((line .. " ") .. k) .. "=") .. (v == nil and "-" or clean(v))
    end
    core.log(level, line)
end
return ____exports
 end,
["lua.runtime-api"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
--- Send commands in one non-interactive connection (`;`-separated, as the CLI
-- accepts) and read until HAProxy closes it. Commands must be pre-escaped.
function ____exports.runCli(address, commands, timeoutSeconds)
    local sock = core.tcp()
    sock:settimeout(timeoutSeconds)
    local connected, cerr = sock:connect(address)
    if connected == nil then
        sock:close()
        return {
            ok = false,
            output = (("connect " .. address) .. ": ") .. tostring(cerr)
        }
    end
    local line = ""
    do
        local i = 0
        while i < #commands do
            line = (line .. (i > 0 and ";" or "")) .. commands[i + 1]
            i = i + 1
        end
    end
    local sent, serr = sock:send(line .. "\n")
    if sent == nil then
        sock:close()
        return {
            ok = false,
            output = "send: " .. tostring(serr)
        }
    end
    local answer, rerr = sock:receive("*a")
    sock:close()
    if answer == nil then
        return {
            ok = false,
            output = "receive: " .. tostring(rerr)
        }
    end
    return {ok = true, output = answer}
end
--- True when a CLI answer to `set table`/`clear table` commands reports no error (they print nothing on success).
function ____exports.cliSucceeded(output)
    do
        local i = 0
        while i < #output do
            local c = __TS__StringCharCodeAt(output, i)
            if c ~= 10 and c ~= 13 and c ~= 32 then
                return false
            end
            i = i + 1
        end
    end
    return true
end
return ____exports
 end,
["lua.learn"] = function(...) 
local ____exports = {}
local ____contract = require("core.contract")
local HEADERS = ____contract.HEADERS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local VARS = ____contract.VARS
local ____rule = require("core.rule")
local ruleEntry = ____rule.ruleEntry
local ____runtime_2Dcmd = require("core.runtime-cmd")
local setRuleCommand = ____runtime_2Dcmd.setRuleCommand
local ____signal = require("core.signal")
local parseShortForm = ____signal.parseShortForm
local ____headers = require("lua.headers")
local headerValues = ____headers.headerValues
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local runCli = ____runtime_2Dapi.runCli
local function varString(txn, name)
    local v = txn:get_var(name)
    return type(v) == "string" and v or nil
end
local function publish(txn, outcome, reason)
    txn:set_var(VARS.signalOutcome, outcome)
    txn:set_var(VARS.signalReason, reason)
    txn:set_var(VARS.statKey, (("signal_" .. outcome) .. ":") .. reason)
end
--- Write the rules through the runtime API. Returns an error text, or undefined on success.
local function store(ctx, backend, rules, now)
    local cmds = {}
    for ____, r in ipairs(rules) do
        local entry = ruleEntry({status = r.status, ttl = r.ttl, reason = r.reason, dryRun = false}, now)
        cmds[#cmds + 1] = setRuleCommand(RULE_TABLE_PREFIX .. backend, r.path, entry)
    end
    local res = runCli(ctx.settings.runtimeApi, cmds, 2)
    if not res.ok then
        return res.output
    end
    if not cliSucceeded(res.output) then
        return "runtime API answered: " .. res.output
    end
    return nil
end
--- The action body. Never throws: main.ts wraps it, and every path publishes an outcome.
function ____exports.execute(ctx, txn)
    local backend = varString(txn, VARS.backend)
    local path = varString(txn, VARS.path)
    local values = headerValues(
        txn.http:res_get_headers(),
        HEADERS.resource
    )
    local verdict
    if #ctx.settingsErrors > 0 then
        verdict = {kind = "reject", reason = "edge-error", detail = "settings: " .. ctx.settingsErrors[1]}
    elseif backend == nil then
        verdict = {kind = "reject", reason = "edge-error", detail = VARS.backend .. " is not set in the request phase"}
    else
        verdict = parseShortForm(values, path, ctx.settings)
    end
    if verdict.kind == "none" then
        return
    end
    if verdict.kind == "ignore" then
        publish(txn, "ignored", "valid")
        return
    end
    if verdict.kind == "reject" then
        publish(txn, "rejected", verdict.reason)
        logEvent(core.warning, "signal rejected", {{"reason", verdict.reason}, {"backend", backend}, {"path", path}, {"detail", verdict.detail}})
        return
    end
    local now = core.now().sec
    local failure = store(ctx, backend, verdict.rules, now)
    if failure ~= nil then
        publish(txn, "rejected", "edge-error")
        logEvent(core.err, "signal not stored", {{"reason", "edge-error"}, {"backend", backend}, {"path", path}, {"detail", failure}})
        return
    end
    local first = verdict.rules[1]
    publish(txn, "learned", first.reason)
    for ____, r in ipairs(verdict.rules) do
        logEvent(
            core.info,
            "rule learned",
            {
                {"backend", backend},
                {"key", r.path},
                {
                    "status",
                    tostring(r.status)
                },
                {
                    "ttl",
                    tostring(r.ttl)
                },
                {"reason", r.reason}
            }
        )
    end
end
return ____exports
 end,
["lua.normalize"] = function(...) 
local ____exports = {}
local ____path = require("core.path")
local lookupKeyForPath = ____path.lookupKeyForPath
function ____exports.execute(settings, value)
    return lookupKeyForPath(value, settings.pathPolicy)
end
return ____exports
 end,
["lua.settings-loader"] = function(...) 
local ____exports = {}
local ____contract = require("core.contract")
local SETTINGS_ENV = ____contract.SETTINGS_ENV
local ____settings = require("core.settings")
local DEFAULT_SETTINGS = ____settings.DEFAULT_SETTINGS
local parseSettings = ____settings.parseSettings
function ____exports.loadSettings()
    local path = os.getenv(SETTINGS_ENV)
    if path == nil or path == "" then
        return {settings = DEFAULT_SETTINGS, errors = {((SETTINGS_ENV .. " is not set (add `setenv ") .. SETTINGS_ENV) .. " <file>` to global)"}}
    end
    local file, err = io.open(path, "r")
    if file == nil then
        return {
            settings = DEFAULT_SETTINGS,
            errors = {(("cannot read " .. path) .. ": ") .. tostring(err)}
        }
    end
    local text = file:read("a")
    file:close()
    local parsed = parseSettings(text == nil and "" or text)
    if not parsed.ok then
        return {settings = DEFAULT_SETTINGS, errors = parsed.errors}
    end
    return {settings = parsed.settings, errors = {}}
end
return ____exports
 end,
["lua.main"] = function(...) 
local ____exports = {}
local ____contract = require("core.contract")
local LUA_NAMES = ____contract.LUA_NAMES
local VARS = ____contract.VARS
local learn = require("lua.learn")
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local normalize = require("lua.normalize")
local ____settings_2Dloader = require("lua.settings-loader")
local loadSettings = ____settings_2Dloader.loadSettings
local loaded = loadSettings()
for ____, e in ipairs(loaded.errors) do
    logEvent(core.alert, "settings error, learning disabled", {{"detail", e}})
end
local ctx = {settings = loaded.settings, settingsErrors = loaded.errors}
core.register_action(
    LUA_NAMES.learn,
    {"http-res"},
    function(txn)
        local ok, err = pcall(function() return learn.execute(ctx, txn) end)
        if not ok then
            txn:set_var(VARS.signalOutcome, "rejected")
            txn:set_var(VARS.signalReason, "edge-error")
            txn:set_var(VARS.statKey, "signal_rejected:edge-error")
            logEvent(
                core.err,
                "signal not handled",
                {
                    {"reason", "edge-error"},
                    {
                        "detail",
                        tostring(err)
                    }
                }
            )
        end
    end,
    0
)
core.register_converters(
    LUA_NAMES.normalize,
    function(value)
        local ok, res = pcall(function() return normalize.execute(loaded.settings, value) end)
        return ok and res or value
    end
)
return ____exports
 end,
}
local ____entry = require("lua.main", ...)
return ____entry
