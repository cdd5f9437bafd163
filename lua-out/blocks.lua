
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

local function __TS__NumberToFixed(self, fractionDigits)
    if math.abs(self) >= 1e+21 or self ~= self then
        return tostring(self)
    end
    local f = math.floor(fractionDigits or 0)
    if f < 0 or f > 99 then
        error("toFixed() digits argument must be between 0 and 99", 0)
    end
    return string.format(
        ("%." .. tostring(f)) .. "f",
        self
    )
end

local function __TS__StringIncludes(self, searchString, position)
    if not position then
        position = 1
    else
        position = position + 1
    end
    local index = string.find(self, searchString, position, true)
    return index ~= nil
end

local function __TS__New(target, ...)
    local instance = setmetatable({}, target.prototype)
    instance:____constructor(...)
    return instance
end

local function __TS__Class(self)
    local c = {prototype = {}}
    c.prototype.__index = c.prototype
    c.prototype.constructor = c
    return c
end

local function __TS__ClassExtends(target, base)
    target.____super = base
    local staticMetatable = setmetatable({__index = base}, base)
    setmetatable(target, staticMetatable)
    local baseMetatable = getmetatable(base)
    if baseMetatable then
        if type(baseMetatable.__index) == "function" then
            staticMetatable.__index = baseMetatable.__index
        end
        if type(baseMetatable.__newindex) == "function" then
            staticMetatable.__newindex = baseMetatable.__newindex
        end
    end
    setmetatable(target.prototype, base.prototype)
    if type(base.prototype.__index) == "function" then
        target.prototype.__index = base.prototype.__index
    end
    if type(base.prototype.__newindex) == "function" then
        target.prototype.__newindex = base.prototype.__newindex
    end
    if type(base.prototype.__tostring) == "function" then
        target.prototype.__tostring = base.prototype.__tostring
    end
end

local Error, RangeError, ReferenceError, SyntaxError, TypeError, URIError
do
    local function getErrorStack(self, constructor)
        if debug == nil then
            return nil
        end
        local level = 1
        while true do
            local info = debug.getinfo(level, "f")
            level = level + 1
            if not info then
                level = 1
                break
            elseif info.func == constructor then
                break
            end
        end
        if __TS__StringIncludes(_VERSION, "Lua 5.0") then
            return debug.traceback(("[Level " .. tostring(level)) .. "]")
        elseif _VERSION == "Lua 5.1" then
            return string.sub(
                debug.traceback("", level),
                2
            )
        else
            return debug.traceback(nil, level)
        end
    end
    local function wrapErrorToString(self, getDescription)
        return function(self)
            local description = getDescription(self)
            local caller = debug.getinfo(3, "f")
            local isClassicLua = __TS__StringIncludes(_VERSION, "Lua 5.0")
            if isClassicLua or caller and caller.func ~= error then
                return description
            else
                return (description .. "\n") .. tostring(self.stack)
            end
        end
    end
    local function initErrorClass(self, Type, name)
        Type.name = name
        return setmetatable(
            Type,
            {__call = function(____, _self, message) return __TS__New(Type, message) end}
        )
    end
    local ____initErrorClass_1 = initErrorClass
    local ____class_0 = __TS__Class()
    ____class_0.name = ""
    function ____class_0.prototype.____constructor(self, message)
        if message == nil then
            message = ""
        end
        self.message = message
        self.name = "Error"
        self.stack = getErrorStack(nil, __TS__New)
        local metatable = getmetatable(self)
        if metatable and not metatable.__errorToStringPatched then
            metatable.__errorToStringPatched = true
            metatable.__tostring = wrapErrorToString(nil, metatable.__tostring)
        end
    end
    function ____class_0.prototype.__tostring(self)
        return self.message ~= "" and (self.name .. ": ") .. self.message or self.name
    end
    Error = ____initErrorClass_1(nil, ____class_0, "Error")
    local function createErrorClass(self, name)
        local ____initErrorClass_3 = initErrorClass
        local ____class_2 = __TS__Class()
        ____class_2.name = ____class_2.name
        __TS__ClassExtends(____class_2, Error)
        function ____class_2.prototype.____constructor(self, ...)
            ____class_2.____super.prototype.____constructor(self, ...)
            self.name = name
        end
        return ____initErrorClass_3(nil, ____class_2, name)
    end
    RangeError = createErrorClass(nil, "RangeError")
    ReferenceError = createErrorClass(nil, "ReferenceError")
    SyntaxError = createErrorClass(nil, "SyntaxError")
    TypeError = createErrorClass(nil, "TypeError")
    URIError = createErrorClass(nil, "URIError")
end

local function __TS__ObjectGetOwnPropertyDescriptors(object)
    local metatable = getmetatable(object)
    if not metatable then
        return {}
    end
    return rawget(metatable, "_descriptors") or ({})
end

local function __TS__Delete(target, key)
    local descriptors = __TS__ObjectGetOwnPropertyDescriptors(target)
    local descriptor = descriptors[key]
    if descriptor then
        if not descriptor.configurable then
            error(
                __TS__New(
                    TypeError,
                    ((("Cannot delete property " .. tostring(key)) .. " of ") .. tostring(target)) .. "."
                ),
                0
            )
        end
        descriptors[key] = nil
        return true
    end
    target[key] = nil
    return true
end

local function __TS__ObjectAssign(target, ...)
    local sources = {...}
    for i = 1, #sources do
        local source = sources[i]
        if type(source) == "table" then
            for key in pairs(source) do
                target[key] = source[key]
            end
        end
    end
    return target
end

local function __TS__Number(value)
    local valueType = type(value)
    if valueType == "number" then
        return value
    elseif valueType == "string" then
        local numberValue = tonumber(value)
        if numberValue then
            return numberValue
        end
        if value == "Infinity" then
            return math.huge
        end
        if value == "-Infinity" then
            return -math.huge
        end
        local stringWithoutSpaces = string.gsub(value, "%s", "")
        if stringWithoutSpaces == "" then
            return 0
        end
        return 0 / 0
    elseif valueType == "boolean" then
        return value and 1 or 0
    else
        return 0 / 0
    end
end

local function __TS__ArraySort(self, compareFn)
    if compareFn ~= nil then
        table.sort(
            self,
            function(a, b) return compareFn(nil, a, b) < 0 end
        )
    else
        table.sort(self)
    end
    return self
end

local function __TS__ArrayFilter(self, callbackfn, thisArg)
    local result = {}
    local len = 0
    for i = 1, #self do
        if callbackfn(thisArg, self[i], i - 1, self) then
            len = len + 1
            result[len] = self[i]
        end
    end
    return result
end

local function __TS__ArrayMap(self, callbackfn, thisArg)
    local result = {}
    for i = 1, #self do
        result[i] = callbackfn(thisArg, self[i], i - 1, self)
    end
    return result
end

local function __TS__CountVarargs(...)
    return select("#", ...)
end

local function __TS__SparseArrayNew(...)
    local sparseArray = {...}
    sparseArray.sparseLength = __TS__CountVarargs(...)
    return sparseArray
end

local function __TS__SparseArrayPush(sparseArray, ...)
    local args = {...}
    local argsLen = __TS__CountVarargs(...)
    local listLen = sparseArray.sparseLength
    for i = 1, argsLen do
        sparseArray[listLen + i] = args[i]
    end
    sparseArray.sparseLength = listLen + argsLen
end

local function __TS__SparseArraySpread(sparseArray)
    local _unpack = unpack or table.unpack
    return _unpack(sparseArray, 1, sparseArray.sparseLength)
end

local __TS__StringSplit
do
    local sub = string.sub
    local find = string.find
    function __TS__StringSplit(source, separator, limit)
        if limit == nil then
            limit = 4294967295
        end
        if limit == 0 then
            return {}
        end
        local result = {}
        local resultIndex = 1
        if separator == nil or separator == "" then
            for i = 1, #source do
                result[resultIndex] = sub(source, i, i)
                resultIndex = resultIndex + 1
            end
        else
            local currentPos = 1
            while resultIndex <= limit do
                local startPos, endPos = find(source, separator, currentPos, true)
                if not startPos then
                    break
                end
                result[resultIndex] = sub(source, currentPos, startPos - 1)
                resultIndex = resultIndex + 1
                currentPos = endPos + 1
            end
            if resultIndex <= limit then
                result[resultIndex] = sub(source, currentPos)
            end
        end
        return result
    end
end

local function __TS__ArraySplice(self, ...)
    local args = {...}
    local len = #self
    local actualArgumentCount = __TS__CountVarargs(...)
    local start = args[1]
    local deleteCount = args[2]
    if start < 0 then
        start = len + start
        if start < 0 then
            start = 0
        end
    elseif start > len then
        start = len
    end
    local itemCount = actualArgumentCount - 2
    if itemCount < 0 then
        itemCount = 0
    end
    local actualDeleteCount
    if actualArgumentCount == 0 then
        actualDeleteCount = 0
    elseif actualArgumentCount == 1 then
        actualDeleteCount = len - start
    else
        actualDeleteCount = deleteCount or 0
        if actualDeleteCount < 0 then
            actualDeleteCount = 0
        end
        if actualDeleteCount > len - start then
            actualDeleteCount = len - start
        end
    end
    local out = {}
    for k = 1, actualDeleteCount do
        local from = start + k
        if self[from] ~= nil then
            out[k] = self[from]
        end
    end
    if itemCount < actualDeleteCount then
        for k = start + 1, len - actualDeleteCount do
            local from = k + actualDeleteCount
            local to = k + itemCount
            if self[from] then
                self[to] = self[from]
            else
                self[to] = nil
            end
        end
        for k = len - actualDeleteCount + itemCount + 1, len do
            self[k] = nil
        end
    elseif itemCount > actualDeleteCount then
        for k = len - actualDeleteCount, start + 1, -1 do
            local from = k + actualDeleteCount
            local to = k + itemCount
            if self[from] then
                self[to] = self[from]
            else
                self[to] = nil
            end
        end
    end
    local j = start + 1
    for i = 3, actualArgumentCount do
        self[j] = args[i]
        j = j + 1
    end
    for k = #self, len - actualDeleteCount + itemCount + 1, -1 do
        self[k] = nil
    end
    return out
end

return {
  __TS__StringCharCodeAt = __TS__StringCharCodeAt,
  __TS__StringSubstring = __TS__StringSubstring,
  __TS__NumberToFixed = __TS__NumberToFixed,
  __TS__Delete = __TS__Delete,
  Error = Error,
  RangeError = RangeError,
  ReferenceError = ReferenceError,
  SyntaxError = SyntaxError,
  TypeError = TypeError,
  URIError = URIError,
  __TS__New = __TS__New,
  __TS__ObjectAssign = __TS__ObjectAssign,
  __TS__Class = __TS__Class,
  __TS__Number = __TS__Number,
  __TS__ArraySort = __TS__ArraySort,
  __TS__ArrayFilter = __TS__ArrayFilter,
  __TS__ArrayMap = __TS__ArrayMap,
  __TS__SparseArrayNew = __TS__SparseArrayNew,
  __TS__SparseArrayPush = __TS__SparseArrayPush,
  __TS__SparseArraySpread = __TS__SparseArraySpread,
  __TS__StringSplit = __TS__StringSplit,
  __TS__ArraySplice = __TS__ArraySplice
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
--- The dry-run bit and the body id alone, for loops that read millions of answers (no table per call in Lua).
function ____exports.answerDryRun(n)
    return math.floor(n / ____exports.DRY_RUN_UNIT) % 2 == 1
end
function ____exports.answerBodyId(n)
    return math.floor(n / ____exports.BODY_UNIT)
end
function ____exports.unpackAnswer(n)
    return {
        status = n % ____exports.STATUS_MASK,
        dryRun = ____exports.answerDryRun(n),
        bodyId = ____exports.answerBodyId(n)
    }
end
return ____exports
 end,
["core.bytes"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__NumberToFixed = ____lualib.__TS__NumberToFixed
local ____exports = {}
local xorByte
function xorByte(a, b)
    return a ~ b
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
--- Index of the first byte at or after `i` (and before `n`) that `kept` refuses; `n` when there is none. Lets callers copy a run in one piece.
function ____exports.runEnd(s, i, n, kept)
    local j = i
    while j < n and kept(__TS__StringCharCodeAt(s, j)) do
        j = j + 1
    end
    return j
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
            if c < 48 or c > 57 then
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
--- Split on a single-byte separator; keeps empty fields. indexOf compiles to Lua's plain string.find, which beats a byte loop.
function ____exports.splitOn(s, sep)
    local out = {}
    local ch = string.char(sep)
    local start = 0
    local i = (string.find(
        s,
        ch,
        math.max(start + 1, 1),
        true
    ) or 0) - 1
    while i >= 0 do
        out[#out + 1] = __TS__StringSubstring(s, start, i)
        start = i + 1
        i = (string.find(
            s,
            ch,
            math.max(start + 1, 1),
            true
        ) or 0) - 1
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
--- Decimal text of a non-negative integral number. Used wherever a number
-- becomes text (CLI commands, map keys): Fengari's integers are 32-bit, so
-- larger values are floats there and tostring would add ".0".
function ____exports.itoa(n)
    if n < 0 then
        return "-" .. ____exports.itoa(-n)
    end
    local v = math.floor(n)
    if v == 0 then
        return "0"
    end
    local t = tostring(v)
    return (string.find(t, ".", nil, true) or 0) - 1 < 0 and (string.find(t, "e", nil, true) or 0) - 1 < 0 and t or __TS__NumberToFixed(v, 0)
end
return ____exports
 end,
["core.contract"] = function(...) 
local ____exports = {}
--- Signal headers a backend may send. Lower-case, as HAProxy's header tables key them.
____exports.HEADERS = {resource = "x-edge-resource", rule = "edge-rule", generation = "edge-generation"}
--- The headers that teach rules (the learn action runs only on responses that carry one).
____exports.RULE_SIGNAL_HEADERS = {____exports.HEADERS.resource, ____exports.HEADERS.rule}
--- Every signal header, for stripping from requests and responses: clients neither send nor see them.
____exports.SIGNAL_HEADERS = {____exports.HEADERS.resource, ____exports.HEADERS.rule, ____exports.HEADERS.generation}
--- Deploy generations: `<backend>` -> epoch second its current generation began, `<backend>:<token>` -> the
-- second each generation was first seen. A rule created before its backend's current generation is stale.
____exports.GENERATIONS_MAP = "eb_generations.map"
--- The header every revalidation probe carries (the SDK's isProbe() recognises it); probes carry nothing of any client's.
____exports.PROBE_HEADER = "edge-probe"
--- Set by <backend> on an answer on the loopback hop: the rule keys its learn action stored (for a let-through's revalidation); never from a client or a server.
____exports.HOP_TAUGHT_HEADER = "x-edgeblock-taught"
--- The reason a stale rule's request is logged with (it went on to the backend).
____exports.STALE_REASON = "stale-generation"
--- Generation tokens: what a backend or the CLI may name (no map or CLI metacharacters).
____exports.GENERATION_TOKEN_MAX = 64
--- Transaction variables. Set natively or by Lua; read by haproxy.cfg ACLs.
____exports.VARS = {
    path = "txn.eb_path",
    negNow = "txn.eb_nnow",
    ruleKey = "txn.eb_key",
    ruleAnswer = "txn.eb_ans",
    blockStatus = "txn.eb_status",
    staticStatus = "txn.eb_static",
    backend = "txn.eb_be",
    method = "txn.eb_method",
    auth = "txn.eb_auth",
    live = "txn.eb_live",
    prefixBase = "txn.eb_pbase",
    prefixLive = "txn.eb_plive",
    qualSpecs = "txn.eb_qual",
    prefixQualSpecs = "txn.eb_pqual",
    qualKey = "txn.eb_qkey",
    ruleReason = "txn.eb_reason",
    ruleBody = "txn.eb_body",
    wouldBlock = "txn.eb_would",
    blockStat = "txn.eb_bstat",
    signalOutcome = "txn.eb_signal",
    signalReason = "txn.eb_signal_reason",
    generation = "txn.eb_generation",
    generationSince = "txn.eb_gen_since",
    letThrough = "txn.eb_let",
    probeQueued = "txn.eb_probe",
    taughtKeys = "txn.eb_taught",
    letThroughCredentials = "txn.eb_let_cred"
}
--- Environment variable (set with `setenv` in haproxy.cfg's global section) naming the settings file.
____exports.SETTINGS_ENV = "EDGEBLOCK_SETTINGS"
--- Names registered with HAProxy by blocks.lua. Used as `lua.<name>` in haproxy.cfg.
____exports.LUA_NAMES = {
    learn = "edgeblock_learn",
    normalize = "edgeblock_normalize",
    metrics = "edgeblock_metrics",
    wait = "edgeblock_wait",
    match = "edgeblock_match",
    generation = "edgeblock_generation",
    revalidate = "edgeblock_revalidate",
    probe = "edgeblock_probe",
    count = "edgeblock_count"
}
--- Map files written by blocks.lua (relative to haproxy.cfg). Per-backend ones are `<prefix><backend>.map`.
____exports.STORE_MAPS = {
    reasons = "eb_reasons.map",
    bodies = "eb_bodies.map",
    prefixPrefix = "eb_prefix_",
    qualPrefix = "eb_qual_",
    counters = "eb_counters.map"
}
--- Stick-table proxy holding the rules a backend taught: `<prefix><backend name>`.
____exports.RULE_TABLE_PREFIX = "eb_rules_"
--- Sticky counter slot used to count rule hits on blocked requests.
____exports.HIT_COUNTER = 2
--- Sticky counter slot used to count blocked / would-block requests by status and reason.
____exports.STAT_COUNTER = 1
--- Per-backend tables of the confirmation threshold: candidate rule keys, and (key|client) pairs seen.
____exports.PENDING_TABLE_PREFIX = "eb_pending_"
____exports.SEEN_TABLE_PREFIX = "eb_seen_"
--- Control table: key `enforcement_off`, gpt0 1 = kill switch on (everything is dry-run). Shared with the
-- local peer, so a reload's new process gets the switch from the old one (3.0+), whichever process a
-- command written during the reload reached (the two share the stats socket for a moment).
____exports.CONTROL_TABLE = "eb_ctl"
____exports.ENFORCEMENT_OFF_KEY = "enforcement_off"
--- This process's own state, never shared with a peer: key `ready`.
____exports.READY_TABLE = "eb_ready"
--- Key set (gpt0 1) in READY_TABLE once a starting process has loaded its rules; requests wait for it (bounded).
____exports.READY_KEY = "ready"
--- Process variable blocks.lua sets once this process's rules are loaded: after it, a request's only readiness cost is one variable test.
____exports.READY_VAR = "proc.eb_ready"
--- Longest a request waits for a starting process to load its rules before it proceeds (fail-open).
____exports.READY_WAIT_MS = 5000
--- Backend a stopping process hands its last requests to (the new process, on the same address).
____exports.HANDOFF_BACKEND = "eb_handoff"
--- The peers section that carries edgeblock's tables from the old process to the new one during a
-- reload (3.0+), and the local peer's name in it. The control table is not carried: its `ready` key
-- must be the new process's own (its maps are loaded from the state files, not by peers).
____exports.PEERS_SECTION = "edgeblock"
____exports.LOCAL_PEER = "edgeblock_local"
--- The local peer's unix socket, next to the runtime API socket.
____exports.PEER_SOCKET_FILE = "eb_peer.sock"
--- In a cluster (`peers.nodes`), the section above links the nodes, and this one keeps what is each
-- process's own (its counters) on the local unix socket: replicated counters would overwrite each other.
____exports.LOCAL_PEERS_SECTION = "edgeblock_local"
--- Cluster only: the map writes (prefixes, qualified specs, bodies, reasons) that peers cannot carry,
-- as replicated entries of this table (core/cluster-sync.ts); each node applies them to its own maps.
____exports.SYNC_TABLE = "eb_sync"
--- Sync-table fields: when the map write happened, epoch seconds and microseconds (the newest wins).
____exports.SYNC_FIELDS = {sec = "gpt0", usec = "gpc0"}
--- Stick-table proxy holding the native counters of blocked / would-block requests (gpc0 per key).
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
--- Data fields of the confirmation tables: signals per candidate key and distinct clients; a (key|client) pair seen.
____exports.PENDING_FIELDS = {signals = "gpc0", clients = "gpt0"}
____exports.SEEN_FIELD = "gpt0"
--- Data field of the control table's switches (`ready`, `enforcement_off`): 1 is on.
____exports.CONTROL_FIELD = "gpt0"
--- Data field of the native counters in the stats table.
____exports.STATS_FIELD = "gpc0"
--- Counter keys in the stats table: `<kind>:<status>:<reason>` (for rate limits, the reason is the limit's name).
____exports.BLOCK_STAT = {blocked = "blocked", wouldBlock = "would_block", rateLimited = "rate_limited"}
--- HAProxy's sticky counters before 2.8 (sc0-sc2); 2.8+ sets more with tune.stick-counters.
____exports.STICKY_COUNTERS_BEFORE_2_8 = 3
--- Prefix of a rate limit's stick table: `eb_rl_<limit name>`.
____exports.RATE_TABLE_PREFIX = "eb_rl_"
--- Suffix of the backend that evaluates the requests some rule may match (`<backend>.edgeblock`).
____exports.EVAL_BACKEND_SUFFIX = ".edgeblock"
--- Rule key and reason of a static-map match (txn.eb_key, txn.eb_reason).
____exports.STATIC_RULE = "static"
--- Value of txn.eb_auth when the request carries the configured cookie or header.
____exports.AUTHED = "authed"
--- Allowlist files the renderer writes next to haproxy.cfg: exact paths, and prefixes with their trailing `/`.
____exports.ALLOW_FILES = {exact = "eb_allow_exact.lst", prefix = "eb_allow_prefix.lst"}
--- The `store` clause every rule table is declared with.
____exports.RULE_TABLE_STORE = "gpt0,gpc0,gpc1,sess_cnt,server_id,http_req_cnt"
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
local trimOws = ____bytes.trimOws
--- Escape one CLI argument: the 2.6 parser splits on space/tab, cuts commands on `;`, and treats `\` as escape.
function ____exports.escapeCliArg(s)
    if (string.find(s, "\\", nil, true) or 0) - 1 < 0 and (string.find(s, ";", nil, true) or 0) - 1 < 0 and (string.find(s, " ", nil, true) or 0) - 1 < 0 and (string.find(s, "\t", nil, true) or 0) - 1 < 0 then
        return s
    end
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
--- What `set table` answers when a full table could not evict an entry for a new key: on 2.6 eviction
-- examines only 2x(size/256+1) of the oldest entries and gives up on recently touched ones, requeueing
-- them, so the same commands succeed when sent again (at most EVICTION_RETRIES times).
____exports.NO_ENTRY_ANSWER = "Unable to allocate a new entry"
____exports.EVICTION_RETRIES = 8
--- The one eviction retry (the Lua store and the CLI): send the same commands again after `attempt`
-- tries when the answer says a full table gave up, unless the table never purges (on_full: refuse
-- answers "full" for good).
function ____exports.retryEviction(output, attempt, neverPurges)
    return not neverPurges and attempt < ____exports.EVICTION_RETRIES and (string.find(output, ____exports.NO_ENTRY_ANSWER, nil, true) or 0) - 1 >= 0
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
                    goto __continue11
                end
                local simple = n == 116 and 9 or (n == 110 and 10 or (n == 114 and 13 or (n == 101 and 27 or n)))
                out = out .. string.char(simple)
                i = i + 2
                goto __continue11
            end
            out = out .. string.char(c)
            i = i + 1
        end
        ::__continue11::
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
                goto __continue17
            end
            local name = __TS__StringSubstring(word, 0, eq)
            local v = parseDecimal(
                __TS__StringSubstring(word, eq + 1),
                999999999999999
            )
            if v < 0 then
                goto __continue17
            end
            if name == "exp" then
                expMs = v
            elseif name ~= "use" then
                data[name] = v
            end
        end
        ::__continue17::
    end
    return {key = key, expMs = expMs, data = data}
end
--- From the master CLI's `show proc` answer: whether a worker other than `pid` is still listed among the
-- old workers (a reload's previous process, which may still share the stats socket). Unreadable answers
-- say yes: the caller then keeps addressing its own worker through the master, which is always safe.
function ____exports.olderWorkerListed(showProc, pid)
    local lines = splitOn(showProc, 10)
    local sawWorkers = false
    local inOld = false
    for ____, raw in ipairs(lines) do
        do
            local line = trimOws(raw)
            if line == "# workers" then
                sawWorkers = true
            end
            if #line > 0 and (string.byte(line, 1) or 0 / 0) == 35 then
                inOld = line == "# old workers"
                goto __continue24
            end
            if not inOld or #line == 0 then
                goto __continue24
            end
            local sp = (string.find(line, " ", nil, true) or 0) - 1
            local first = sp < 0 and line or __TS__StringSubstring(line, 0, sp)
            if first ~= pid then
                return true
            end
        end
        ::__continue24::
    end
    return not sawWorkers
end
--- One runtime-API request line holds at most this many bytes: below the CLI's 16 kB buffer (tune.bufsize) with room for its reserve.
____exports.CLI_BATCH_BYTES = 12000
return ____exports
 end,
["core.journal"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local parseDecimal = ____bytes.parseDecimal
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local ____runtime_2Dcmd = require("core.runtime-cmd")
local escapeCliArg = ____runtime_2Dcmd.escapeCliArg
____exports.SNAPSHOT_FILE = "rules.snapshot"
local SNAPSHOT_HEADER = "# edgeblock snapshot v1 written at "
--- The first line of a snapshot: when and by whom it was written.
function ____exports.snapshotHeader(now, writer)
    return ((SNAPSHOT_HEADER .. itoa(now)) .. " by ") .. writer
end
--- When a snapshot was written, from its first line; 0 when the line is not a snapshot header.
function ____exports.parseSnapshotHeader(line)
    if __TS__StringSubstring(line, 0, #SNAPSHOT_HEADER) ~= SNAPSHOT_HEADER then
        return 0
    end
    local rest = __TS__StringSubstring(line, #SNAPSHOT_HEADER)
    local sp = (string.find(rest, " ", nil, true) or 0) - 1
    local at = parseDecimal(
        sp < 0 and rest or __TS__StringSubstring(rest, 0, sp),
        ____exports.MAX_FIELD_VALUE
    )
    return at < 0 and 0 or at
end
____exports.JOURNAL_FILE = "rules.journal"
____exports.JOURNAL_OLD_FILE = "rules.journal.old"
local function hasBadByte(s)
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if c == 9 or c == 10 or c == 13 then
                return true
            end
            i = i + 1
        end
    end
    return false
end
--- One line (without the newline), or undefined when a field holds a TAB or newline.
function ____exports.formatRecord(r, writer)
    if r.kind == "table" then
        if hasBadByte(r.table) or hasBadByte(r.key) then
            return nil
        end
        local fields = ""
        do
            local i = 0
            while i < #r.fields do
                fields = (((fields .. (i > 0 and "," or "")) .. r.fields[i + 1].name) .. "=") .. itoa(r.fields[i + 1].value)
                i = i + 1
            end
        end
        return (((((("T\t" .. writer) .. "\t") .. r.table) .. "\t") .. r.key) .. "\t") .. fields
    end
    if hasBadByte(r.file) or hasBadByte(r.key) then
        return nil
    end
    if r.kind == "map-set" then
        if hasBadByte(r.value) then
            return nil
        end
        return (((((("M\t" .. writer) .. "\t") .. r.file) .. "\t") .. r.key) .. "\t") .. r.value
    end
    return (((("D\t" .. writer) .. "\t") .. r.file) .. "\t") .. r.key
end
--- The widest value a record's field, or a snapshot header's time, may hold.
____exports.MAX_FIELD_VALUE = 4294967295
--- The longest field name a record may carry.
____exports.MAX_FIELD_NAME = 32
--- The fields edgeblock writes: checked by lookup before the byte-by-byte test.
local KNOWN_FIELDS = {
    gpt0 = true,
    gpc0 = true,
    gpc1 = true,
    sess_cnt = true,
    server_id = true
}
local function isFieldName(s)
    if KNOWN_FIELDS[s] == true then
        return true
    end
    if #s == 0 or #s > ____exports.MAX_FIELD_NAME then
        return false
    end
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if not (c >= 97 and c <= 122 or c >= 48 and c <= 57 or c == 95) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- Written before lines retried after a failed append: a line the failure cut short gets an extra
-- field, so it can never parse as a shorter key or a smaller number; alone it is a line of its own.
____exports.TORN_MARK = "\t#torn"
function ____exports.parseRecord(line)
    if #line >= #____exports.TORN_MARK and __TS__StringSubstring(line, #line - #____exports.TORN_MARK) == ____exports.TORN_MARK then
        return {ok = false, error = "cut short by a failed write"}
    end
    local f = splitOn(line, 9)
    local kind = f[1]
    if kind == "T" then
        if #f ~= 5 then
            return {
                ok = false,
                error = "table record needs 5 fields, has " .. tostring(#f)
            }
        end
        if #f[3] == 0 or #f[4] == 0 then
            return {ok = false, error = "empty table or key"}
        end
        local fields = {}
        for ____, pair in ipairs(splitOn(f[5], 44)) do
            local eq = (string.find(pair, "=", nil, true) or 0) - 1
            if eq <= 0 then
                return {ok = false, error = ("bad field '" .. pair) .. "'"}
            end
            local name = __TS__StringSubstring(pair, 0, eq)
            local value = parseDecimal(
                __TS__StringSubstring(pair, eq + 1),
                ____exports.MAX_FIELD_VALUE
            )
            if not isFieldName(name) or value < 0 then
                return {ok = false, error = ("bad field '" .. pair) .. "'"}
            end
            fields[#fields + 1] = {name = name, value = value}
        end
        return {ok = true, writer = f[2], record = {kind = "table", table = f[3], key = f[4], fields = fields}}
    end
    if kind == "M" then
        if #f ~= 5 then
            return {
                ok = false,
                error = "map record needs 5 fields, has " .. tostring(#f)
            }
        end
        if #f[3] == 0 or #f[4] == 0 then
            return {ok = false, error = "empty map or key"}
        end
        return {ok = true, writer = f[2], record = {kind = "map-set", file = f[3], key = f[4], value = f[5]}}
    end
    if kind == "D" then
        if #f ~= 4 then
            return {
                ok = false,
                error = "map delete needs 4 fields, has " .. tostring(#f)
            }
        end
        if #f[3] == 0 or #f[4] == 0 then
            return {ok = false, error = "empty map or key"}
        end
        return {ok = true, writer = f[2], record = {kind = "map-del", file = f[3], key = f[4]}}
    end
    return {ok = false, error = "unknown record type"}
end
local function field(r, name)
    if r.kind ~= "table" then
        return nil
    end
    for ____, f in ipairs(r.fields) do
        if f.name == name then
            return f.value
        end
    end
    return nil
end
--- True when replaying a record would only bring back something expired: a
-- rule-table record whose liveness (gpt0) is in the past. Records that zero a
-- rule (removals), control switches and map records are always replayed.
function ____exports.isExpiredRecord(r, now)
    if r.kind ~= "table" or __TS__StringSubstring(r.table, 0, #RULE_TABLE_PREFIX) ~= RULE_TABLE_PREFIX then
        return false
    end
    local live = field(r, RULE_FIELDS.expiry)
    if live == nil or live == 0 then
        return false
    end
    return live <= now
end
--- An entry's CurrentEntry from its fields (`field(name)`: a Lua entry's get, a `show table` line's data).
function ____exports.currentEntryOf(field)
    return {
        gpt0 = field(RULE_FIELDS.expiry) or 0,
        sessCnt = field(RULE_FIELDS.created) or 0,
        ruleExpiry = field(RULE_FIELDS.ruleExpiry) or 0
    }
end
--- Adapt a record replayed from another writer to what the table holds now:
-- undefined when the record is older than the entry (its sess_cnt, the time of
-- the last change, is earlier), or as old as a removal that lifted the entry
-- (stamps are whole seconds: a removal wins a tie, so that a rule lifted on
-- another node is not brought back by a replay from the same second), and
-- index-liveness updates never lower gpt0.
function ____exports.reconcile(r, current)
    if r.kind ~= "table" or current == nil then
        return r
    end
    local stamp = field(r, RULE_FIELDS.created)
    if stamp ~= nil then
        if stamp < current.sessCnt then
            return nil
        end
        local lifts = field(r, RULE_FIELDS.ruleExpiry) == 0
        local ____temp_0
        if stamp == current.sessCnt and current.ruleExpiry == 0 and not lifts then
            ____temp_0 = nil
        else
            ____temp_0 = r
        end
        return ____temp_0
    end
    local live = field(r, RULE_FIELDS.expiry)
    if live ~= nil and #r.fields == 1 and live < current.gpt0 then
        return nil
    end
    return r
end
--- The runtime API command that applies a table record.
function ____exports.recordCommand(r)
    if r.kind ~= "table" or #r.fields == 0 then
        return nil
    end
    local cmd = (("set table " .. escapeCliArg(r.table)) .. " key ") .. escapeCliArg(r.key)
    for ____, f in ipairs(r.fields) do
        cmd = (((cmd .. " data.") .. f.name) .. " ") .. itoa(f.value)
    end
    return cmd
end
return ____exports
 end,
["core.rule"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Delete = ____lualib.__TS__Delete
local ____exports = {}
local ____answer = require("core.answer")
local MAX_BODY_ID = ____answer.MAX_BODY_ID
local packAnswer = ____answer.packAnswer
local ____bytes = require("core.bytes")
local fnv1a32 = ____bytes.fnv1a32
--- Reason ids are 24 bits; the 7 bits above hold the origin server's id (server_id is a signed 32-bit field).
____exports.REASON_ID_UNIT = 16777216
____exports.MAX_ORIGIN_ID = 127
--- Hashes of recent labels and bodies: a learn needs each twice, and the same few recur (hashing is a byte loop in Lua).
local hashes = {}
local hashCount = 0
local HASH_MEMO_MAX = 256
local function hashOf(text)
    local known = hashes[text]
    if known ~= nil then
        return known
    end
    if hashCount >= HASH_MEMO_MAX then
        for k in pairs(hashes) do
            __TS__Delete(hashes, k)
        end
        hashCount = 0
    end
    local h = fnv1a32(text)
    hashes[text] = h
    hashCount = hashCount + 1
    return h
end
--- Stable id of a reason label, the same in every thread, process and runtime.
function ____exports.reasonId(label)
    return hashOf(label) % ____exports.REASON_ID_UNIT
end
--- The reason field: reason id plus the id of the server that sent the signal (0 = unknown or an operator).
function ____exports.packReason(label, originServerId)
    local origin = originServerId >= 1 and originServerId <= ____exports.MAX_ORIGIN_ID and math.floor(originServerId) or 0
    return ____exports.reasonId(label) + origin * ____exports.REASON_ID_UNIT
end
--- The reason id alone (no table per call in Lua).
function ____exports.reasonIdOf(field)
    return field % ____exports.REASON_ID_UNIT
end
function ____exports.unpackReason(field)
    return {
        reasonId = ____exports.reasonIdOf(field),
        originServerId = math.floor(field / ____exports.REASON_ID_UNIT)
    }
end
--- Stable id of an answer body (1..MAX_BODY_ID), the key of the bodies map.
function ____exports.bodyId(body)
    return hashOf(body) % MAX_BODY_ID + 1
end
--- Entry data for a rule learned at `now` (epoch seconds) plus `nowUsec`. Expiry has whole-second
-- resolution and rounds up, so a rule lives at least its TTL and at most one second longer.
function ____exports.ruleEntry(r, now, nowUsec, createdAt)
    if nowUsec == nil then
        nowUsec = 0
    end
    local expiry = now + r.ttl + (nowUsec > 0 and 1 or 0)
    return {
        expiry = expiry,
        ruleExpiry = expiry,
        answer = packAnswer({status = r.status, dryRun = r.dryRun, bodyId = r.bodyId}),
        created = createdAt or now,
        reason = ____exports.packReason(r.reason, r.originServerId)
    }
end
return ____exports
 end,
["core.rulekey"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local ____bytes = require("core.bytes")
local asciiLower = ____bytes.asciiLower
local hexValue = ____bytes.hexValue
local isAlpha = ____bytes.isAlpha
local isDigit = ____bytes.isDigit
local splitOn = ____bytes.splitOn
--- Parse `h:..;a:..;q:..` as written by qualifierOf.
function ____exports.parseQualifier(s)
    local out = {query = {}}
    if #s == 0 then
        return nil
    end
    for ____, part in ipairs(splitOn(s, 59)) do
        if #part < 2 or (string.byte(part, 2) or 0 / 0) ~= 58 then
            return nil
        end
        local kind = __TS__StringSubstring(part, 0, 1)
        local v = __TS__StringSubstring(part, 2)
        if kind == "h" then
            out.host = v
        elseif kind == "a" then
            if v ~= "anon" and v ~= "authed" then
                return nil
            end
            out.auth = v
        elseif kind == "q" then
            for ____, c in ipairs(splitOn(v, 44)) do
                local absent = (string.byte(c, 1) or 0 / 0) == 33
                local name = absent and __TS__StringSubstring(c, 1) or c
                if not ____exports.isQueryName(name) then
                    return nil
                end
                local ____out_query_0 = out.query
                ____out_query_0[#____out_query_0 + 1] = {name = name, present = not absent}
            end
        else
            return nil
        end
    end
    return out
end
--- Query parameter names we can match: URL-safe bytes only.
function ____exports.isQueryName(s)
    if #s == 0 or #s > ____exports.MAX_QUERY_NAME_LENGTH then
        return false
    end
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if not (isAlpha(c) or isDigit(c) or c == 45 or c == 46 or c == 95 or c == 126 or c == 91 or c == 93) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- Longest method token and host we accept.
____exports.MAX_METHOD_LENGTH = 16
____exports.MAX_HOST_LENGTH = 253
____exports.MAX_QUERY_NAME_LENGTH = 64
function ____exports.baseKey(path, prefix)
    return prefix and "^" .. path or path
end
function ____exports.isQualified(m)
    return m.host ~= nil or m.auth ~= nil or #m.query > 0
end
--- Canonical qualifier text: `h:<host>;a:<auth>;q:<cond>,<cond>` with absent parts left out.
function ____exports.qualifierOf(m)
    local parts = {}
    if m.host ~= nil then
        parts[#parts + 1] = "h:" .. m.host
    end
    if m.auth ~= nil then
        parts[#parts + 1] = "a:" .. m.auth
    end
    if #m.query > 0 then
        local q = ""
        do
            local i = 0
            while i < #m.query do
                q = ((q .. (i > 0 and "," or "")) .. (m.query[i + 1].present and "" or "!")) .. m.query[i + 1].name
                i = i + 1
            end
        end
        parts[#parts + 1] = "q:" .. q
    end
    local out = ""
    do
        local i = 0
        while i < #parts do
            out = (out .. (i > 0 and ";" or "")) .. parts[i + 1]
            i = i + 1
        end
    end
    return out
end
--- The spec text of a qualified rule, as listed in the qualifier map: `<METHOD|*>~<qualifier>`.
function ____exports.specOf(method, m)
    return (method .. "~") .. ____exports.qualifierOf(m)
end
--- Every stick-table key a rule occupies (one per method).
function ____exports.ruleKeys(m)
    local base = ____exports.baseKey(m.path, m.prefix)
    local methods = #m.methods == 0 and ({"*"}) or m.methods
    local keys = {}
    for ____, method in ipairs(methods) do
        if ____exports.isQualified(m) then
            keys[#keys + 1] = (base .. " ") .. ____exports.specOf(method, m)
        else
            keys[#keys + 1] = method == "*" and base or (base .. " ") .. method
        end
    end
    return keys
end
--- A rule for GET covers HEAD: Node, Express, Django and Rails answer HEAD with the GET handler, so a
-- HEAD request would reach the same code the rule keeps the backend from running. Sorted input, sorted output.
function ____exports.withHead(methods)
    local out = {}
    local get = false
    local head = false
    for ____, m in ipairs(methods) do
        if m == "GET" then
            get = true
        end
        if m == "HEAD" then
            head = true
        end
    end
    local placed = not get or head
    for ____, m in ipairs(methods) do
        if not placed and m > "HEAD" then
            out[#out + 1] = "HEAD"
            placed = true
        end
        out[#out + 1] = m
    end
    if not placed then
        out[#out + 1] = "HEAD"
    end
    return out
end
--- Parse a stored key back into its parts; undefined when it is not an edgeblock rule key.
function ____exports.parseRuleKey(key)
    if #key == 0 then
        return nil
    end
    local sp = (string.find(key, " ", nil, true) or 0) - 1
    local base = sp < 0 and key or __TS__StringSubstring(key, 0, sp)
    local prefix = (string.byte(base, 1) or 0 / 0) == 94
    local path = prefix and __TS__StringSubstring(base, 1) or base
    if (string.byte(path, 1) or 0 / 0) ~= 47 then
        return nil
    end
    if sp < 0 then
        return {
            base = base,
            path = path,
            prefix = prefix,
            method = "*",
            match = {path = path, prefix = prefix, methods = {}, query = {}}
        }
    end
    local rest = __TS__StringSubstring(key, sp + 1)
    local tilde = (string.find(rest, "~", nil, true) or 0) - 1
    if tilde < 0 then
        return {
            base = base,
            path = path,
            prefix = prefix,
            method = rest,
            match = {path = path, prefix = prefix, methods = {rest}, query = {}}
        }
    end
    local method = __TS__StringSubstring(rest, 0, tilde)
    local q = ____exports.parseQualifier(__TS__StringSubstring(rest, tilde + 1))
    if q == nil then
        return nil
    end
    return {
        base = base,
        path = path,
        prefix = prefix,
        method = method,
        spec = rest,
        match = {
            path = path,
            prefix = prefix,
            methods = method == "*" and ({}) or ({method}),
            host = q.host,
            auth = q.auth,
            query = q.query
        }
    }
end
--- HTTP method token: upper-case letters (and `-`/`_`), at most 16.
function ____exports.isMethodToken(s)
    if #s == 0 or #s > ____exports.MAX_METHOD_LENGTH then
        return false
    end
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if not (c >= 65 and c <= 90 or c == 45 or c == 95) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- Host as matched: lower case, port removed. Undefined when it has bytes a host cannot have.
function ____exports.normalizeHost(raw)
    local h = asciiLower(raw)
    if #h > 0 and (string.byte(h, 1) or 0 / 0) ~= 91 then
        local colon = (string.find(h, ":", nil, true) or 0) - 1
        if colon >= 0 then
            h = __TS__StringSubstring(h, 0, colon)
        end
    end
    if #h > 0 and __TS__StringCharCodeAt(h, #h - 1) == 46 then
        h = __TS__StringSubstring(h, 0, #h - 1)
    end
    if #h == 0 or #h > ____exports.MAX_HOST_LENGTH then
        return nil
    end
    do
        local i = 0
        while i < #h do
            local c = __TS__StringCharCodeAt(h, i)
            if not (isAlpha(c) or isDigit(c) or c == 45 or c == 46 or c == 91 or c == 93 or c == 58) then
                return nil
            end
            i = i + 1
        end
    end
    return h
end
--- A parameter name as backends decode it (URLSearchParams, Node's querystring, Python's parse_qs):
-- `+` is a space, `%XX` a byte, and a `%` not followed by two hex digits is kept as it is.
function ____exports.decodeQueryName(raw)
    if (string.find(raw, "%", nil, true) or 0) - 1 < 0 and (string.find(raw, "+", nil, true) or 0) - 1 < 0 then
        return raw
    end
    local out = ""
    local i = 0
    while i < #raw do
        local c = __TS__StringCharCodeAt(raw, i)
        if c == 37 and i + 2 < #raw and hexValue(__TS__StringCharCodeAt(raw, i + 1)) >= 0 and hexValue(__TS__StringCharCodeAt(raw, i + 2)) >= 0 then
            out = out .. string.char(hexValue(__TS__StringCharCodeAt(raw, i + 1)) * 16 + hexValue(__TS__StringCharCodeAt(raw, i + 2)))
            i = i + 3
        else
            out = out .. (c == 43 and " " or string.char(c))
            i = i + 1
        end
    end
    return out
end
--- Names of the query parameters present in a raw query string (`a=1&b&c=`), decoded as backends decode them.
function ____exports.queryNames(query)
    local names = {}
    if query == nil or #query == 0 then
        return names
    end
    for ____, pair in ipairs(splitOn(query, 38)) do
        do
            if #pair == 0 then
                goto __continue71
            end
            local eq = (string.find(pair, "=", nil, true) or 0) - 1
            names[#names + 1] = ____exports.decodeQueryName(eq < 0 and pair or __TS__StringSubstring(pair, 0, eq))
        end
        ::__continue71::
    end
    return names
end
--- Does a qualified spec (`<METHOD|*>~<qualifier>`) match the request?
function ____exports.specMatches(spec, req)
    local tilde = (string.find(spec, "~", nil, true) or 0) - 1
    if tilde < 0 then
        return false
    end
    local method = __TS__StringSubstring(spec, 0, tilde)
    if method ~= "*" and method ~= req.method then
        return false
    end
    local q = ____exports.parseQualifier(__TS__StringSubstring(spec, tilde + 1))
    if q == nil then
        return false
    end
    if q.host ~= nil and q.host ~= req.host then
        return false
    end
    if q.auth ~= nil and q.auth ~= req.auth then
        return false
    end
    for ____, c in ipairs(q.query) do
        local found = false
        for ____, n in ipairs(req.queryNames) do
            if n == c.name then
                found = true
            end
        end
        if found ~= c.present then
            return false
        end
    end
    return true
end
--- How specific a spec is: more constraints first, so the narrowest matching rule wins.
function ____exports.specificity(spec)
    local tilde = (string.find(spec, "~", nil, true) or 0) - 1
    if tilde < 0 then
        return 0
    end
    local q = ____exports.parseQualifier(__TS__StringSubstring(spec, tilde + 1))
    if q == nil then
        return 0
    end
    return (__TS__StringSubstring(spec, 0, tilde) == "*" and 0 or 1) + (q.host ~= nil and 1 or 0) + (q.auth ~= nil and 1 or 0) + #q.query
end
--- Pick the most specific matching spec from a space-separated spec list; undefined when none matches.
function ____exports.bestSpec(list, req)
    local best
    local bestScore = -1
    for ____, spec in ipairs(splitOn(list, 32)) do
        do
            if #spec == 0 or not ____exports.specMatches(spec, req) then
                goto __continue90
            end
            local s = ____exports.specificity(spec)
            if s > bestScore or s == bestScore and best ~= nil and spec < best then
                best = spec
                bestScore = s
            end
        end
        ::__continue90::
    end
    return best
end
return ____exports
 end,
["core.path"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local isKept
local ____bytes = require("core.bytes")
local asciiLower = ____bytes.asciiLower
local byteAt = ____bytes.byteAt
local hexValue = ____bytes.hexValue
local isAlpha = ____bytes.isAlpha
local isDigit = ____bytes.isDigit
local percentEncodeByte = ____bytes.percentEncodeByte
local runEnd = ____bytes.runEnd
function isKept(c)
    return c > 32 and c < 127 and c ~= 37
end
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
        do
            local j = runEnd(s, i, n, isKept)
            if j > i then
                if i == 0 and j == n then
                    return s
                end
                out = out .. __TS__StringSubstring(s, i, j)
                i = j
                goto __continue4
            end
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
            else
                out = out .. percentEncodeByte(c)
                i = i + 1
            end
        end
        ::__continue4::
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
    if (string.find(s, "//", nil, true) or 0) - 1 < 0 and (string.find(s, "/.", nil, true) or 0) - 1 < 0 then
        return s
    end
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
    while policy.stripTrailingSlash and #s > 1 and __TS__StringCharCodeAt(s, #s - 1) == 47 do
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
--- The key haproxy.cfg computes natively, or undefined when it sends the path
-- to the Lua converter instead. Mirrors the rendered lines: paths containing
-- `//`, `/.`, `%` or `#` go to Lua; otherwise one trailing slash is cut with
-- `regsub(/$,)` (when stripping is on) and the path is lowercased (when
-- case-insensitive). The property "nativeKey == normalizePath" is tested in
-- both runtimes; HAProxy itself refuses the other bytes this excludes.
function ____exports.nativeKey(raw, policy)
    if #raw == 0 or (string.byte(raw, 1) or 0 / 0) ~= 47 then
        return nil
    end
    if (string.find(raw, "//", nil, true) or 0) - 1 >= 0 or (string.find(raw, "/.", nil, true) or 0) - 1 >= 0 or (string.find(raw, "%", nil, true) or 0) - 1 >= 0 or (string.find(raw, "#", nil, true) or 0) - 1 >= 0 then
        return nil
    end
    if (string.find(raw, "?", nil, true) or 0) - 1 >= 0 then
        return nil
    end
    do
        local i = 0
        while i < #raw do
            local c = __TS__StringCharCodeAt(raw, i)
            if c <= 32 or c >= 127 then
                return nil
            end
            i = i + 1
        end
    end
    local k = raw
    if policy.stripTrailingSlash and #k > 1 and __TS__StringCharCodeAt(k, #k - 1) == 47 then
        k = __TS__StringSubstring(k, 0, #k - 1)
    end
    return policy.caseInsensitive and asciiLower(k) or k
end
return ____exports
 end,
["core.schema"] = function(...) 
local ____lualib = require("lualib_bundle")
local Error = ____lualib.Error
local RangeError = ____lualib.RangeError
local ReferenceError = ____lualib.ReferenceError
local SyntaxError = ____lualib.SyntaxError
local TypeError = ____lualib.TypeError
local URIError = ____lualib.URIError
local __TS__New = ____lualib.__TS__New
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
--- Largest stick-table expire HAProxy accepts is 2^31-1 ms: about 24.8 days.
____exports.MAX_TTL_LIMIT = 2147483
--- Statuses a rule may answer with, unless rules.allowed_statuses says otherwise.
____exports.DEFAULT_ALLOWED_STATUSES = {
    400,
    401,
    403,
    404,
    405,
    410,
    429,
    451,
    500,
    503
}
local DURATION = "seconds"
____exports.FIELDS = {
    {yaml = "listen.address", kind = "string", def = "127.0.0.1", doc = "Address the edge listens on."},
    {
        yaml = "listen.port",
        kind = "int",
        def = 8080,
        min = 1,
        max = 65535,
        doc = "Port the edge listens on (1-65535). listen.port, listen.h2c_port and stats.port must differ, and no server may be the edge itself."
    },
    {yaml = "listen.port_env", kind = "string", shown = "(none)", doc = "Environment variable that overrides listen.port when HAProxy starts."},
    {
        yaml = "listen.h2c_port",
        kind = "int",
        shown = "(none)",
        min = 1,
        max = 65535,
        doc = "Optional second port on listen.address speaking cleartext HTTP/2 (prior knowledge)."
    },
    {
        yaml = "listen.tls.port",
        kind = "int",
        shown = "(required with tls)",
        min = 1,
        max = 65535,
        doc = "Port on listen.address that terminates TLS (HTTPS). With listen.tls set, listen.port stays plain HTTP and redirects to it unless listen.tls.redirect_http is false."
    },
    {yaml = "listen.tls.port_env", kind = "string", shown = "(none)", doc = "Environment variable that overrides listen.tls.port when HAProxy starts."},
    {yaml = "listen.tls.cert", kind = "string", shown = "(required with tls)", doc = "PEM file holding the certificate, its chain and its private key, or a folder of such files (one per name: HAProxy picks by SNI). It must not be readable by other users."},
    {
        yaml = "listen.tls.alpn",
        kind = "enum",
        def = "h2,http/1.1",
        values = {"h2,http/1.1", "http/1.1"},
        doc = "Protocols offered in the TLS handshake: HTTP/2 and HTTP/1.1, or HTTP/1.1 only."
    },
    {
        yaml = "listen.tls.min_version",
        kind = "enum",
        def = "TLSv1.2",
        values = {"TLSv1.2", "TLSv1.3"},
        doc = "Oldest TLS version accepted."
    },
    {yaml = "listen.tls.redirect_http", kind = "bool", def = true, doc = "Answer plain-HTTP requests on listen.port with a 308 redirect to the same URL over HTTPS (308 keeps the method and body)."},
    {
        yaml = "listen.tls.hsts_max_age",
        kind = "int",
        def = 0,
        min = 0,
        max = 63072000,
        doc = "Seconds of Strict-Transport-Security sent on every HTTPS answer, edgeblock's own blocks included (0 = no header)."
    },
    {yaml = "listen.tls.hsts_include_subdomains", kind = "bool", def = false, doc = "Add includeSubDomains to Strict-Transport-Security."},
    {yaml = "stats.address", kind = "string", def = "127.0.0.1", doc = "Address of HAProxy's stats page and /metrics."},
    {
        yaml = "stats.port",
        kind = "int",
        def = 8404,
        min = 1,
        max = 65535,
        doc = "Port of HAProxy's stats page, /metrics and /edgeblock/metrics."
    },
    {yaml = "stats.port_env", kind = "string", shown = "(none)", doc = "Environment variable that overrides stats.port when HAProxy starts."},
    {
        yaml = "runtime_api.socket",
        kind = "string",
        def = "run/admin.sock",
        doc = "Unix socket of HAProxy's runtime API (level admin). Lua writes rules through it.",
        setting = {key = "runtime_api", name = "runtimeApi", def = "unix@run/admin.sock"}
    },
    {yaml = "lua.file", kind = "string", shown = "this package's lua-out/blocks.lua", doc = "The compiled edgeblock Lua bundle (a path relative to this file, or absolute)."},
    {
        yaml = "lua.load",
        kind = "enum",
        def = "shared",
        values = {"shared", "per-thread"},
        doc = "`shared` (lua-load) or `per-thread` (lua-load-per-thread)."
    },
    {
        yaml = "threads",
        kind = "int",
        def = 1,
        min = 1,
        max = 64,
        doc = "nbthread (1-64)."
    },
    {
        yaml = "log",
        kind = "string",
        def = "stderr",
        doc = "HAProxy log target: stderr, stdout, /dev/log or host:port.",
        setting = {
            key = "log_stream",
            name = "logStream",
            def = "off",
            kind = "enum",
            values = {"stderr", "stdout", "off"}
        }
    },
    {
        yaml = "paths.case_insensitive",
        kind = "bool",
        def = false,
        doc = "Fold ASCII case before matching: /YEET is /yeet.",
        setting = {key = "path_case_insensitive", name = "caseInsensitive"}
    },
    {
        yaml = "paths.merge_slashes",
        kind = "bool",
        def = true,
        doc = "Treat // as /.",
        setting = {key = "path_merge_slashes", name = "mergeSlashes"}
    },
    {
        yaml = "paths.strip_trailing_slash",
        kind = "bool",
        def = true,
        doc = "Treat /a/ as /a.",
        setting = {key = "path_strip_trailing_slash", name = "stripTrailingSlash"}
    },
    {
        yaml = "rules.default_ttl",
        kind = "int",
        def = 3600,
        min = 1,
        max = ____exports.MAX_TTL_LIMIT,
        doc = "Seconds a learned rule lives when the signal does not say (at most rules.max_ttl).",
        setting = {key = "default_ttl", name = "defaultTtl"}
    },
    {
        yaml = "rules.max_ttl",
        kind = "int",
        def = 604800,
        min = 1,
        max = ____exports.MAX_TTL_LIMIT,
        doc = ((("Upper bound on any rule's lifetime, " .. DURATION) .. " (at most ") .. tostring(____exports.MAX_TTL_LIMIT)) .. ", HAProxy's longest table expiry).",
        setting = {key = "max_ttl", name = "maxTtl"}
    },
    {
        yaml = "rules.default_status",
        kind = "int",
        def = 404,
        min = 400,
        max = 599,
        doc = "Status for `X-Edge-Resource: false`, and for rules that name none when the response status is not an allowed error.",
        setting = {key = "default_status", name = "defaultStatus"}
    },
    {
        yaml = "rules.allowed_statuses",
        kind = "statuses",
        shown = "400,401,403,404,405,410,429,451,500,503",
        doc = "Statuses a rule may answer with (400-599).",
        setting = {key = "allowed_statuses", name = "allowedStatuses"}
    },
    {
        yaml = "rules.max_signal_bytes",
        kind = "int",
        def = 1024,
        min = 16,
        max = 65536,
        doc = "Signals longer than this are rejected.",
        setting = {key = "max_signal_bytes", name = "maxSignalBytes"}
    },
    {
        yaml = "rules.max_key_length",
        kind = "int",
        def = 160,
        min = 8,
        max = 4094,
        doc = "Longest rule key: the normalised path plus any method or qualifier suffix. It is the stick-table key length, so it sets the memory per rule.",
        setting = {key = "max_key_length", name = "maxKeyLength"}
    },
    {
        yaml = "rules.max_body_bytes",
        kind = "int",
        def = 256,
        min = 0,
        max = 4096,
        doc = "Longest answer body a rule may carry (printable ASCII).",
        setting = {key = "max_body_bytes", name = "maxBodyBytes"}
    },
    {
        yaml = "rules.max_rules_per_signal",
        kind = "int",
        def = 8,
        min = 1,
        max = 64,
        doc = "Most rules one response may signal.",
        setting = {key = "max_rules_per_signal", name = "maxRulesPerSignal"}
    },
    {
        yaml = "rules.on_full",
        kind = "enum",
        def = "evict",
        values = {"evict", "refuse"},
        doc = "When a backend's rule table is full: `evict` the least recently learned or hit rule, or `refuse` new rules.",
        setting = {key = "on_full", name = "onFull"}
    },
    {yaml = "static_map", kind = "string", def = "path_status.map", doc = "Paths blocked from startup: `<path> [status]` per line. A map named here must exist; the default one is created empty."},
    {
        yaml = "allowlist.exact",
        kind = "paths",
        shown = "[]",
        doc = "Normalised paths that are never blocked and never learned.",
        setting = {key = "allow_exact", name = "allowExact"}
    },
    {
        yaml = "allowlist.prefix",
        kind = "paths",
        shown = "[]",
        doc = "Normalised path prefixes that are never blocked and never learned: `/static` and `/static/` both cover `/static`, `/static/` and everything below it, not `/staticx`.",
        setting = {key = "allow_prefix", name = "allowPrefix"}
    },
    {yaml = "allowlist.clients", kind = "list", shown = "[]", doc = "Client addresses or networks (10.0.0.0/8, 2001:db8::/32) that rate limits and rules never stop: what `http-request allow` does in a hand-written config, without skipping the lines that route the request. They still need credentials where auth.require asks."},
    {
        yaml = "learning.rate",
        kind = "int",
        def = 0,
        min = 0,
        max = 1000000,
        doc = "Token bucket per backend: rules learned per second (0 = unlimited); in a cluster, for all nodes together.",
        setting = {key = "learn_rate", name = "learnRate"}
    },
    {
        yaml = "learning.burst",
        kind = "int",
        def = 0,
        min = 0,
        max = 1000000,
        doc = "Token bucket size (0 = same as rate).",
        setting = {key = "learn_burst", name = "learnBurst"}
    },
    {
        yaml = "learning.confirm_signals",
        kind = "int",
        def = 1,
        min = 1,
        max = 1000,
        doc = "A rule is enforced only after this many signals for its key...",
        setting = {key = "confirm_signals", name = "confirmSignals"}
    },
    {
        yaml = "learning.confirm_clients",
        kind = "int",
        def = 1,
        min = 1,
        max = 1000,
        doc = "...from at least this many distinct client addresses.",
        setting = {key = "confirm_clients", name = "confirmClients"}
    },
    {yaml = "auth.cookie", kind = "string", shown = "(none)", doc = "Cookie whose presence makes a request authenticated (for auth=anon|authed rules)."},
    {yaml = "auth.header", kind = "string", def = "authorization", doc = "Request header whose presence makes a request authenticated, when no cookie is configured (and neither auth.jwt nor auth.api_keys is)."},
    {
        yaml = "auth.jwt.alg",
        kind = "enum",
        def = "RS256",
        values = {
            "RS256",
            "RS384",
            "RS512",
            "ES256",
            "ES384",
            "ES512",
            "HS256",
            "HS384",
            "HS512"
        },
        doc = "With auth.jwt, a request is authenticated only by a bearer token that HAProxy verifies natively (jwt_verify): signed with this algorithm, its header naming it, not expired (exp is required), and from auth.jwt.issuer for auth.jwt.audience when they are set. That verified state is what auth=anon|authed rules test."
    },
    {yaml = "auth.jwt.key", kind = "string", shown = "(required for RS and ES)", doc = "PEM file of the public key that verifies the signatures (BEGIN PUBLIC KEY)."},
    {yaml = "auth.jwt.secret_env", kind = "string", shown = "(required for HS)", doc = "Environment variable of HAProxy's that holds the HMAC secret (never written to haproxy.cfg). No spaces, commas or parentheses in it."},
    {yaml = "auth.jwt.issuer", kind = "string", shown = "(not checked)", doc = "The iss claim a token must carry."},
    {yaml = "auth.jwt.audience", kind = "string", shown = "(not checked)", doc = "The aud claim a token must carry (a single string)."},
    {
        yaml = "auth.jwt.clock_skew",
        kind = "int",
        def = 30,
        min = 0,
        max = 600,
        doc = "Seconds of leeway on exp and nbf for clocks that disagree."
    },
    {yaml = "auth.api_keys.map", kind = "string", shown = "(none)", doc = "Map file of valid API keys (`<key> <client name>` per line): a request whose key header is listed is authenticated."},
    {yaml = "auth.api_keys.header", kind = "string", def = "x-api-key", doc = "Request header carrying the API key."},
    {yaml = "auth.require", kind = "list", shown = "(every backend, with auth.jwt or auth.api_keys)", doc = "Backends whose requests need valid credentials: without them, a 401 with WWW-Authenticate. `[]`: none (credentials then only decide auth=anon|authed rules)."},
    {
        yaml = "response_trailers",
        kind = "enum",
        def = "drop",
        values = {"drop", "forward"},
        doc = "`drop`: every response trailer is dropped, since no rule can strip a signal header from trailers (HAProxy 3.2+; before 3.2 HAProxy can neither drop nor edit them, so trailers pass). `forward` keeps them (gRPC needs its grpc-status trailer)."
    },
    {yaml = "dry_run", kind = "bool", def = false, doc = "Global shadow mode: would-block requests are counted and logged, and pass."},
    {
        yaml = "state.dir",
        kind = "string",
        def = "state",
        doc = "Folder for the snapshot and journal that keep rules across reloads and restarts (`none` disables). Created by render; it must be writable by HAProxy.",
        setting = {key = "state_dir", name = "stateDir", def = ""}
    },
    {
        yaml = "state.snapshot_interval",
        kind = "int",
        def = 300,
        min = 1,
        max = 86400,
        doc = "Seconds between snapshots (compactions of the journal; longer for big stores); the journal covers the time in between.",
        setting = {key = "snapshot_interval", name = "snapshotInterval"}
    },
    {
        yaml = "state.sweep_interval",
        kind = "int",
        def = 10,
        min = 1,
        max = 86400,
        doc = "Seconds between sweeps that free the memory of expired rules.",
        setting = {key = "sweep_interval", name = "sweepInterval"}
    },
    {
        yaml = "state.walk_limit",
        kind = "int",
        def = 100000,
        min = 0,
        max = 100000000,
        doc = "Rule tables up to this many entries are swept with one `clear table` walk (which does not yield on 2.6: 17 ms at 100k); bigger tables, when `state.dir` is set, have expired entries cleared key by key after each snapshot.",
        setting = {key = "walk_limit", name = "walkLimit"}
    },
    {yaml = "backends", kind = "list", shown = "(required)", doc = "The backends, at least one."},
    {yaml = "backends[].name", kind = "string", shown = "(required)", doc = "Backend name: letters, digits, - and _. Reserved: edge, stats, eb_ctl, eb_ready, eb_stats, eb_handoff, eb_sync and names starting with eb_rules_, eb_pending_, eb_seen_ or eb_rl_."},
    {yaml = "backends[].trusted", kind = "bool", def = false, doc = "Accept signals from this backend."},
    {
        yaml = "backends[].max_rules",
        kind = "int",
        def = 100000,
        min = 1,
        max = 10000000,
        doc = "Rules this backend may hold at once."
    },
    {
        yaml = "backends[].interim_responses",
        kind = "enum",
        def = "drop",
        values = {"drop", "forward"},
        doc = "`drop`: a response that starts with a 1xx (other than 101) is dropped whole (the client's connection or h2 stream is closed), because HAProxy forwards 1xx untouched and no rule could strip a signal header from them; HAProxy answers `Expect: 100-continue` itself. `forward` passes them (103 Early Hints), and a signal header on one reaches the client."
    },
    {
        yaml = "backends[].balance",
        kind = "enum",
        def = "roundrobin",
        values = {"roundrobin", "leastconn", "uri", "random"},
        doc = "How requests are spread over the servers: in turn by weight, to the server with the fewest connections, by a hash of the path (the same path keeps its server), or at random by weight."
    },
    {
        yaml = "backends[].retries",
        kind = "int",
        def = 3,
        min = 0,
        max = 100,
        doc = "Connection attempts retried on a server before the request fails (HAProxy's retries)."
    },
    {yaml = "backends[].redispatch", kind = "bool", def = false, doc = "The last retry goes to another server (option redispatch)."},
    {yaml = "backends[].timeouts.connect", kind = "string", def = "5s", doc = "Longest wait for a server's connection to open: a HAProxy duration (500ms, 5s, 1m)."},
    {yaml = "backends[].timeouts.server", kind = "string", def = "30s", doc = "Longest silence from a server while it answers."},
    {yaml = "backends[].timeouts.queue", kind = "string", shown = "timeouts.connect", doc = "Longest a request waits for a server slot when every server is at its maxconn; then it gets a 503."},
    {yaml = "backends[].health", kind = "list", shown = "(none: no checks)", doc = "Health checks of every server: active checks (an HTTP request with `path`, or a TCP connect without it) and, with `error_limit`, passive ones on live traffic. A server that fails is taken out until it passes again."},
    {yaml = "backends[].health.path", kind = "string", shown = "(none: TCP connect checks)", doc = "Path of the HTTP check request (option httpchk)."},
    {
        yaml = "backends[].health.method",
        kind = "enum",
        def = "GET",
        values = {"GET", "HEAD", "OPTIONS"},
        doc = "Method of the HTTP check request."
    },
    {yaml = "backends[].health.inter", kind = "string", def = "2s", doc = "Time between two checks of a server (a HAProxy duration)."},
    {
        yaml = "backends[].health.fall",
        kind = "int",
        def = 3,
        min = 1,
        max = 1000,
        doc = "Failed checks in a row that take a server out."
    },
    {
        yaml = "backends[].health.rise",
        kind = "int",
        def = 2,
        min = 1,
        max = 1000,
        doc = "Passed checks in a row that bring it back."
    },
    {
        yaml = "backends[].health.expect_status",
        kind = "int",
        shown = "(any 2xx or 3xx)",
        min = 100,
        max = 599,
        doc = "The status a passing HTTP check answers with."
    },
    {yaml = "backends[].health.expect_string", kind = "string", shown = "(none)", doc = "Text the body of a passing HTTP check contains (instead of expect_status)."},
    {
        yaml = "backends[].health.error_limit",
        kind = "int",
        shown = "(none: no passive checks)",
        min = 1,
        max = 10000,
        doc = "Passive checks: this many failed answers in a row on live traffic (5xx but 501 and 505, timeouts, broken responses) trigger health.on_error."
    },
    {
        yaml = "backends[].health.on_error",
        kind = "enum",
        def = "mark-down",
        values = {"mark-down", "sudden-death", "fail-check", "fastinter"},
        doc = "What error_limit triggers: take the server out at once, let one more failed check do it, count a failed check, or check faster."
    },
    {yaml = "backends[].cache", kind = "bool", def = false, doc = "Serve this backend's cacheable GET answers from the cache (see cache.*) with an X-Cache-Status header. Requests a rule blocks never get a cached answer, and a cached answer never carries or teaches a signal."},
    {
        yaml = "backends[].let_through",
        kind = "int",
        def = 0,
        min = 0,
        max = 1000000,
        doc = "Revalidation by real traffic: one in this many requests that a learned rule of this backend matches goes on to the backend anyway (counted per rule, logged as would-block). An answer that teaches the same rule again keeps it; a 2xx without it, to a request with the rule's method (GET or HEAD for a rule on any method) and no credentials or cookie, lifts it; any other answer keeps it, a 5xx or none counted as a failure. 0: off; at least 2 (1 would let every match through)."
    },
    {
        yaml = "backends[].probe.rate",
        kind = "int",
        def = 1,
        min = 1,
        max = 100,
        doc = "With backends[].probe, revalidation probes: blocked requests now and then queue their rule, and blocks.lua re-asks the backend (the rule's method and path, an Edge-Probe header, nothing of any client's) at most this many times a second. An answer that teaches the rule again keeps it, one below 500 without it lifts it, a 5xx or no answer keeps it; qualified rules are not probed."
    },
    {
        yaml = "backends[].probe.every",
        kind = "int",
        def = 3600,
        min = 10,
        max = 2592000,
        doc = "Seconds before the same rule is probed again."
    },
    {
        yaml = "backends[].on_new_generation",
        kind = "enum",
        def = "drop",
        values = {"drop", "dry-run", "keep"},
        doc = "When the backend's deploy generation changes (a response's Edge-Generation header names a token never seen, or `edgeblock generation set`), the rules created before it: `drop` stops them blocking at once (the request goes to the backend, which may teach the rule again), `dry-run` makes them would-block until a signal under the new generation confirms them, `keep` ignores generations. Only trusted backends change their generation."
    },
    {yaml = "backends[].servers", kind = "list", shown = "(required)", doc = "The backend's servers, at least one."},
    {yaml = "backends[].servers[].name", kind = "string", shown = "s<n>", doc = "Server name: letters, digits, - and _."},
    {yaml = "backends[].servers[].address", kind = "string", def = "127.0.0.1", doc = "Server address: an IP address or host name."},
    {
        yaml = "backends[].servers[].port",
        kind = "int",
        shown = "(required)",
        min = 1,
        max = 65535,
        doc = "Server port."
    },
    {
        yaml = "backends[].servers[].weight",
        kind = "int",
        def = 1,
        min = 0,
        max = 256,
        doc = "The server's share of requests against the others' (0: only when every other server is out)."
    },
    {
        yaml = "backends[].servers[].maxconn",
        kind = "int",
        shown = "(no limit)",
        min = 1,
        max = 1000000,
        doc = "Most requests the server handles at once; the rest wait in the backend's queue (timeouts.queue)."
    },
    {yaml = "backends[].servers[].port_env", kind = "string", shown = "(none)", doc = "Environment variable that overrides the server's port when HAProxy starts."},
    {yaml = "routes", kind = "list", shown = "[]", doc = "`{backend, path_prefix, host}`: the first route whose path prefix and host both match picks the backend. path_prefix is a normalised path and matches segment-wise on the normalised request path (`/api` matches `/api`, `/api/x` and, with paths.case_insensitive, `//API/./x`; not `/apix`): one setting folds case for routes and rules alike, so no spelling reaches a backend whose rules would not see it; host matches the Host header or an absolute-form request's authority, without port."},
    {yaml = "routes[].backend", kind = "string", shown = "(required)", doc = "The backend this route sends requests to."},
    {yaml = "routes[].path_prefix", kind = "string", shown = "(none)", doc = "Normalised path prefix (segment-wise)."},
    {yaml = "routes[].host", kind = "string", shown = "(none)", doc = "Host, without port (lower case)."},
    {yaml = "routes[].domain", kind = "string", shown = "(none)", doc = "A domain: the host itself or any name under it (`example.com` takes `example.com` and `shop.example.com`)."},
    {yaml = "routes[].header.name", kind = "string", shown = "(none)", doc = "A request header the route needs..."},
    {yaml = "routes[].header.value", kind = "string", shown = "(required with header)", doc = "...with exactly this value (for example `X-Api-Version: 2`)."},
    {yaml = "routes_map.file", kind = "string", shown = "(none)", doc = "Routing from a map file, tried after routes and before default_backend: `<key> <backend>` per line. With `by: host` a key is a lower-case host without port; with `by: path_prefix` a normalised path ending with `/` (`/api/`), the longest that starts the path wins. Every backend named must exist."},
    {
        yaml = "routes_map.by",
        kind = "enum",
        def = "host",
        values = {"host", "path_prefix"},
        doc = "What the map's keys are."
    },
    {yaml = "default_backend", kind = "string", shown = "first backend", doc = "Backend for requests no route matches."},
    {yaml = "headers.security", kind = "bool", def = false, doc = "Security headers on every answer, edgeblock's own blocks included: X-Content-Type-Options nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer."},
    {yaml = "headers.content_security_policy", kind = "string", shown = "(none)", doc = "A Content-Security-Policy sent on every answer."},
    {yaml = "headers.cors.origins", kind = "list", shown = "(none: no CORS)", doc = "Origins whose browser scripts may call the API (`https://app.example`), or `[\"*\"]` for any (then without credentials). Preflights (OPTIONS with Access-Control-Request-Method) are answered 204 by the edge, before authentication, rate limits and rules."},
    {yaml = "headers.cors.methods", kind = "list", shown = "[GET, HEAD, POST]", doc = "Methods a preflight allows."},
    {yaml = "headers.cors.headers", kind = "list", shown = "[Authorization, Content-Type]", doc = "Request headers a preflight allows."},
    {yaml = "headers.cors.expose", kind = "list", shown = "[]", doc = "Response headers scripts may read (Access-Control-Expose-Headers)."},
    {
        yaml = "headers.cors.max_age",
        kind = "int",
        def = 600,
        min = 0,
        max = 86400,
        doc = "Seconds a browser may keep a preflight's answer."
    },
    {yaml = "headers.cors.credentials", kind = "bool", def = false, doc = "Allow cookies and credentials (Access-Control-Allow-Credentials); not with origin *."},
    {yaml = "observability.stats_socket", kind = "string", shown = "(none)", doc = "A second runtime API socket at level user, for exporters and dashboards (show stat, show info): they never get edgeblock's admin socket, which can write rules. Mode 660."},
    {yaml = "observability.log_headers", kind = "list", shown = "[]", doc = "Request headers captured into each log line (%hr, between braces, in this order), for example [User-Agent, X-Request-Id]; each cut at 128 bytes."},
    {
        yaml = "cache.size_mb",
        kind = "int",
        def = 64,
        min = 1,
        max = 4095,
        doc = "Memory of the response cache (HAProxy's cache section, shared by the backends with cache: true), in MB."
    },
    {
        yaml = "cache.max_age",
        kind = "int",
        def = 60,
        min = 1,
        max = 86400,
        doc = "Longest a response stays cached, in seconds (less when its Cache-Control or Expires says so)."
    },
    {
        yaml = "cache.max_object_bytes",
        kind = "int",
        shown = "size_mb / 256",
        min = 1024,
        max = 2147483647,
        doc = "Largest response stored (at most half the cache)."
    },
    {yaml = "rate_limits", kind = "list", shown = "[]", doc = "Request rate limits, checked in the frontend before any rule: over its limit, a client gets a 429 with Retry-After, counted in edgeblock_requests_rate_limited_total. Each limit has a stick table of its own and a sticky counter (edgeblock holds sc1 and sc2; HAProxy before 2.8 has three, so there only limits for different backends can be combined: the renderer allocates them and a config that needs more does not load)."},
    {yaml = "rate_limits[].name", kind = "string", shown = "(required)", doc = "The limit's name (letters, digits and _): its table is eb_rl_<name>, its metric label limit=<name>."},
    {yaml = "rate_limits[].key", kind = "string", shown = "ip", doc = "What a limit counts per: `ip` (the client address), `header:<name>` (an API key header), `query:<param>`, or `jwt:<claim>` (a claim of a verified JWT; needs auth.jwt). Requests without the key are not counted."},
    {
        yaml = "rate_limits[].limit",
        kind = "int",
        shown = "(required)",
        min = 1,
        max = 1000000000,
        doc = "Requests allowed per key and period (for keys in no tier)."
    },
    {yaml = "rate_limits[].period", kind = "string", def = "1s", doc = "The window: a HAProxy duration (1s, 1m, 1h); the rate is HAProxy's http_req_rate over it."},
    {yaml = "rate_limits[].backends", kind = "list", shown = "(every backend)", doc = "The backends whose requests the limit counts (by the route they take)."},
    {
        yaml = "rate_limits[].size",
        kind = "int",
        def = 100000,
        min = 1,
        max = 100000000,
        doc = "Keys the limit's table holds (the least recently seen go first)."
    },
    {yaml = "rate_limits[].tiers.map", kind = "string", shown = "(none)", doc = "Map file from key to tier name (`<key> <tier>` per line, for example API keys to bronze, silver, gold)."},
    {yaml = "rate_limits[].tiers.limits", kind = "list", shown = "(required with tiers)", doc = "Requests per period for each tier named in the map: `{ bronze: 10, gold: 1000 }`."},
    {
        yaml = "peers.local",
        kind = "string",
        shown = "(none: no cluster)",
        doc = "This node's name in peers.nodes. With peers set, the nodes share their rules, removals, expiry, dry-run and the kill switch through HAProxy's own peers replication (docs/operations.md, \"Running a cluster\"). Render once per node with its own name (or start HAProxy with -L <name>).",
        setting = {key = "cluster_node", name = "clusterNode", def = ""}
    },
    {
        yaml = "peers.nodes",
        kind = "list",
        shown = "(required with peers)",
        doc = "Every node of the cluster, this one included: `{name, address, port}`, the address other nodes reach its peer link on. learning.rate and learning.burst are then the cluster's: each node learns at most its share (rate / nodes).",
        setting = {key = "cluster_nodes", name = "clusterNodes", def = 1, kind = "int"}
    },
    {yaml = "peers.nodes[].name", kind = "string", shown = "(required)", doc = "Node name: letters, digits, ., - and _ (at most 48); the same on every node's config."},
    {yaml = "peers.nodes[].address", kind = "string", shown = "(required)", doc = "IP address or host name of the node's peer link."},
    {
        yaml = "peers.nodes[].port",
        kind = "int",
        shown = "(required)",
        min = 1,
        max = 65535,
        doc = "Port of the node's peer link (its own, not listen.port or stats.port)."
    },
    {yaml = "peers.tls.cert", kind = "string", shown = "(none: links in clear)", doc = "PEM file with this node's certificate and key: the peer links use TLS both ways (HAProxy's ssl crt), each end verifying the other against peers.tls.ca."},
    {yaml = "peers.tls.ca", kind = "string", shown = "(required with tls)", doc = "PEM file of the CA that signed every node's certificate (ca-file, verify required): a node without such a certificate cannot join."},
    {
        yaml = "peers.sync_size",
        kind = "int",
        def = 10000,
        min = 16,
        max = 1000000,
        doc = "Map writes (prefix rules, qualified specs, bodies, reason names) kept in the replicated sync table, newest first, for nodes that join later; peers replicate tables, not maps."
    }
}
--- The schema entry of a YAML field; a name not in it is a bug in the caller.
function ____exports.fieldOf(yaml)
    for ____, f in ipairs(____exports.FIELDS) do
        if f.yaml == yaml then
            return f
        end
    end
    error(
        __TS__New(Error, "no such config field: " .. yaml),
        0
    )
end
--- The fields blocks.lua reads, in settings-file order.
function ____exports.settingFields()
    local out = {}
    for ____, f in ipairs(____exports.FIELDS) do
        if f.setting ~= nil then
            out[#out + 1] = f
        end
    end
    return out
end
--- The keys a YAML mapping may hold: `""` for the top level, `backends[]` for a backend, and so on.
function ____exports.knownKeys(parent)
    local out = {}
    local at = #parent == 0 and "" or parent .. "."
    for ____, f in ipairs(____exports.FIELDS) do
        do
            if __TS__StringSubstring(f.yaml, 0, #at) ~= at then
                goto __continue11
            end
            local rest = __TS__StringSubstring(f.yaml, #at)
            local dot = (string.find(rest, ".", nil, true) or 0) - 1
            local key = dot < 0 and rest or __TS__StringSubstring(rest, 0, dot)
            if __TS__StringSubstring(key, #key - 2) == "[]" then
                key = __TS__StringSubstring(key, 0, #key - 2)
            end
            local seen = false
            for ____, k in ipairs(out) do
                if k == key then
                    seen = true
                end
            end
            if not seen then
                out[#out + 1] = key
            end
        end
        ::__continue11::
    end
    return out
end
return ____exports
 end,
["core.settings"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local DEFAULT_ALLOWED
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local parseDecimal = ____bytes.parseDecimal
local splitOn = ____bytes.splitOn
local trimOws = ____bytes.trimOws
local ____schema = require("core.schema")
local DEFAULT_ALLOWED_STATUSES = ____schema.DEFAULT_ALLOWED_STATUSES
local settingFields = ____schema.settingFields
____exports.DEFAULT_ALLOWED_STATUSES = DEFAULT_ALLOWED_STATUSES
--- The settings file's default of a field: its own where the renderer writes a derived value, else the YAML's.
local function defaultOf(f)
    if f.kind == "paths" then
        return {}
    end
    if f.kind == "statuses" then
        return {table.unpack(DEFAULT_ALLOWED)}
    end
    local ____temp_0
    if f.setting ~= nil and f.setting.def ~= nil then
        ____temp_0 = f.setting.def
    else
        ____temp_0 = f.def
    end
    local d = ____temp_0
    return d == nil and "" or d
end
local function defaults()
    local d = {}
    for ____, f in ipairs(settingFields()) do
        d[f.setting.name] = defaultOf(f)
    end
    return d
end
--- Render settings as the text blocks.lua reads, one line per field (a line per path for lists of paths).
function ____exports.formatSettings(s)
    local values = s
    local out = "# edgeblock settings, rendered by `edgeblock render`; read by blocks.lua at load time\n"
    for ____, f in ipairs(settingFields()) do
        local key = f.setting.key
        local v = values[f.setting.name]
        local kind = f.setting.kind ~= nil and f.setting.kind or f.kind
        if kind == "paths" then
            for ____, p in ipairs(v) do
                out = (((out .. key) .. " ") .. p) .. "\n"
            end
        elseif kind == "statuses" then
            local list = ""
            for ____, st in ipairs(v) do
                list = (list .. (#list > 0 and "," or "")) .. itoa(st)
            end
            out = (((out .. key) .. " ") .. list) .. "\n"
        elseif kind == "bool" then
            out = (((out .. key) .. " ") .. (v == true and "on" or "off")) .. "\n"
        elseif kind == "int" then
            out = (((out .. key) .. " ") .. itoa(v)) .. "\n"
        elseif #v > 0 then
            out = (((out .. key) .. " ") .. v) .. "\n"
        end
    end
    return out
end
--- Check one settings value against its field; returns the value or an error text.
local function valueOf(f, value)
    local kind = f.setting ~= nil and f.setting.kind ~= nil and f.setting.kind or f.kind
    if kind == "int" then
        local max = f.max ~= nil and f.max or 2147483647
        local min = f.min ~= nil and f.min or 0
        local v = parseDecimal(value, max)
        return v < min and ({error = ((((("expected an integer from " .. itoa(min)) .. " to ") .. itoa(max)) .. ", got '") .. value) .. "'"}) or ({v = v})
    end
    if kind == "bool" then
        return (value == "on" or value == "off") and ({v = value == "on"}) or ({error = ("expected on or off, got '" .. value) .. "'"})
    end
    if kind == "enum" then
        local values = f.setting ~= nil and f.setting.values ~= nil and f.setting.values or (f.values ~= nil and f.values or ({}))
        for ____, x in ipairs(values) do
            if x == value then
                return {v = value}
            end
        end
        return {error = ((("expected " .. table.concat(values, " or ")) .. ", got '") .. value) .. "'"}
    end
    if kind == "paths" then
        return #value > 0 and (string.byte(value, 1) or 0 / 0) == 47 and ({v = value}) or ({error = "expected a path starting with /"})
    end
    if kind == "statuses" then
        local list = {}
        for ____, part in ipairs(splitOn(value, 44)) do
            local v = parseDecimal(
                trimOws(part),
                599
            )
            if v < 400 then
                return {error = ("'" .. part) .. "' is not a status from 400 to 599"}
            end
            list[#list + 1] = v
        end
        return {v = list}
    end
    return #value > 0 and ({v = value}) or ({error = "empty value"})
end
--- Parse the settings text; unknown keys and bad values are errors naming the line.
function ____exports.parseSettings(text)
    local byKey = {}
    for ____, f in ipairs(settingFields()) do
        byKey[f.setting.key] = f
    end
    local d = defaults()
    local errors = {}
    local lines = splitOn(text, 10)
    do
        local n = 0
        while n < #lines do
            do
                local line = lines[n + 1]
                local cr = (string.find(line, "\r", nil, true) or 0) - 1
                if cr >= 0 then
                    line = __TS__StringSubstring(line, 0, cr)
                end
                line = trimOws(line)
                if #line == 0 or (string.byte(line, 1) or 0 / 0) == 35 then
                    goto __continue36
                end
                local sp = (string.find(line, " ", nil, true) or 0) - 1
                local key = sp < 0 and line or __TS__StringSubstring(line, 0, sp)
                local value = sp < 0 and "" or trimOws(__TS__StringSubstring(line, sp + 1))
                local where = ((("settings line " .. tostring(n + 1)) .. " (") .. key) .. ")"
                local f = byKey[key]
                if f == nil then
                    errors[#errors + 1] = where .. ": unknown setting"
                    goto __continue36
                end
                local r = valueOf(f, value)
                if r.error ~= nil then
                    errors[#errors + 1] = (where .. ": ") .. r.error
                elseif f.kind == "paths" then
                    local ____d_f_setting_name_1 = d[f.setting.name]
                    ____d_f_setting_name_1[#____d_f_setting_name_1 + 1] = r.v
                else
                    d[f.setting.name] = r.v
                end
            end
            ::__continue36::
            n = n + 1
        end
    end
    if #errors > 0 then
        return {ok = false, errors = errors}
    end
    if d.defaultTtl > d.maxTtl then
        d.defaultTtl = d.maxTtl
    end
    return {ok = true, settings = d}
end
DEFAULT_ALLOWED = DEFAULT_ALLOWED_STATUSES
--- The settings blocks.lua runs with when a file sets nothing: the schema's defaults.
____exports.DEFAULT_SETTINGS = defaults()
return ____exports
 end,
["core.verdict"] = function(...) 
local ____exports = {}
--- Why a status is refused: it and the statuses rules.allowed_statuses lists.
function ____exports.statusNotAllowed(status, settings)
    local list = ""
    for ____, s in ipairs(settings.allowedStatuses) do
        list = (list .. (#list > 0 and "," or "")) .. tostring(s)
    end
    return ((("status " .. tostring(status)) .. " is not in rules.allowed_statuses (") .. list) .. ")"
end
function ____exports.isAllowedStatus(status, settings)
    for ____, s in ipairs(settings.allowedStatuses) do
        if s == status then
            return true
        end
    end
    return false
end
return ____exports
 end,
["core.store-records"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__ObjectAssign = ____lualib.__TS__ObjectAssign
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local STORE_MAPS = ____contract.STORE_MAPS
local ____rule = require("core.rule")
local bodyId = ____rule.bodyId
local reasonId = ____rule.reasonId
local ruleEntry = ____rule.ruleEntry
local ____rulekey = require("core.rulekey")
local baseKey = ____rulekey.baseKey
local isQualified = ____rulekey.isQualified
local ruleKeys = ____rulekey.ruleKeys
local specOf = ____rulekey.specOf
function ____exports.prefixMapFile(backend)
    return (STORE_MAPS.prefixPrefix .. backend) .. ".map"
end
--- A prefix rule's entry in its backend's prefix map (found with map_beg on the path plus `/`).
function ____exports.prefixMapKey(path)
    return path .. "/"
end
function ____exports.qualMapFile(backend)
    return (STORE_MAPS.qualPrefix .. backend) .. ".map"
end
function ____exports.entryRecord(____table, key, d)
    return {kind = "table", table = ____table, key = key, fields = {
        {name = RULE_FIELDS.expiry, value = d.expiry},
        {name = RULE_FIELDS.answer, value = d.answer},
        {name = RULE_FIELDS.ruleExpiry, value = d.ruleExpiry},
        {name = RULE_FIELDS.created, value = d.created},
        {name = RULE_FIELDS.reason, value = d.reason}
    }}
end
--- Add a spec to a space-separated list, once.
function ____exports.addSpec(list, spec)
    if list == nil or #list == 0 then
        return spec
    end
    for ____, s in ipairs(splitOn(list, 32)) do
        if s == spec then
            return list
        end
    end
    return (list .. " ") .. spec
end
--- Drop a spec from a space-separated list.
function ____exports.dropSpec(list, spec)
    local out = ""
    for ____, s in ipairs(splitOn(list, 32)) do
        do
            if #s == 0 or s == spec then
                goto __continue12
            end
            out = (out .. (#out > 0 and " " or "")) .. s
        end
        ::__continue12::
    end
    return out
end
--- The record that lifts the rule on `key` (the Lua store's remove and the CLI's): its rule expiry is
-- zeroed, and its liveness too unless the entry still indexes other rules of the same base; the
-- creation stamp records the change, so a replayed older record cannot undo it.
function ____exports.removalRecord(____table, key, keepIndex, now)
    local stamp = {name = RULE_FIELDS.created, value = now}
    local lift = {name = RULE_FIELDS.ruleExpiry, value = 0}
    return {kind = "table", table = ____table, key = key, fields = keepIndex and ({lift, stamp}) or ({lift, {name = RULE_FIELDS.expiry, value = 0}, stamp})}
end
--- Whether a removal keeps the entry's liveness (gpt0): a base entry indexes the base's other rules; and
-- in a cluster every removal does, so that the entry (with its removal stamp) outlives the sweeps until
-- the rule would have expired anyway: a node that was down then reloads its own older record of the
-- rule, and reconciling against the entry refuses it (core/journal.ts reconcile). Peers carry writes,
-- not deletions.
function ____exports.removalKeepsLiveness(isBase, clustered)
    return isBase or clustered
end
--- Records that learn `rules` at `now` (epoch seconds) + `nowUsec`.
function ____exports.blockRecords(backend, rules, now, originServerId, store, nowUsec, createdAt)
    if nowUsec == nil then
        nowUsec = 0
    end
    local ____table = RULE_TABLE_PREFIX .. backend
    local out = {}
    local liveBy = {}
    local bases = {}
    local specLists = {}
    local baseAt = {}
    local function mapOnce(file, key, value)
        if not store:hasMapKey(file, key) then
            out[#out + 1] = {kind = "map-set", file = file, key = key, value = value}
        end
    end
    for ____, r in ipairs(rules) do
        local body = #r.body > 0 and bodyId(r.body) or 0
        if body > 0 then
            mapOnce(
                STORE_MAPS.bodies,
                itoa(body),
                r.body
            )
        end
        mapOnce(
            STORE_MAPS.reasons,
            itoa(reasonId(r.reason)),
            r.reason
        )
        local entry = ruleEntry({
            status = r.status,
            ttl = r.ttl,
            reason = r.reason,
            dryRun = r.dryRun,
            bodyId = body,
            originServerId = originServerId
        }, now, nowUsec, createdAt)
        local base = baseKey(r.match.path, r.match.prefix)
        if liveBy[base] == nil then
            liveBy[base] = store:liveness(base)
            bases[#bases + 1] = base
        end
        if entry.expiry > liveBy[base] then
            liveBy[base] = entry.expiry
        end
        for ____, key in ipairs(ruleKeys(r.match)) do
            if key == base then
                baseAt[base] = {index = #out, data = entry}
            end
            out[#out + 1] = ____exports.entryRecord(____table, key, entry)
        end
        if r.match.prefix then
            mapOnce(
                ____exports.prefixMapFile(backend),
                ____exports.prefixMapKey(r.match.path),
                base
            )
        end
        if isQualified(r.match) then
            local list = specLists[base] ~= nil and specLists[base] or store:specs(base)
            for ____, m in ipairs(#r.match.methods == 0 and ({"*"}) or r.match.methods) do
                list = ____exports.addSpec(
                    list,
                    specOf(m, r.match)
                )
            end
            if list ~= nil then
                specLists[base] = list
            end
        end
    end
    local indexes = {}
    for ____, base in ipairs(bases) do
        if specLists[base] ~= nil then
            out[#out + 1] = {
                kind = "map-set",
                file = ____exports.qualMapFile(backend),
                key = base,
                value = specLists[base]
            }
        end
        local own = baseAt[base]
        if own ~= nil then
            out[own.index + 1] = ____exports.entryRecord(
                ____table,
                base,
                __TS__ObjectAssign({}, own.data, {expiry = liveBy[base]})
            )
        else
            indexes[#indexes + 1] = {kind = "table", table = ____table, key = base, fields = {{name = RULE_FIELDS.expiry, value = liveBy[base]}}}
        end
    end
    for ____, r in ipairs(out) do
        indexes[#indexes + 1] = r
    end
    return indexes
end
return ____exports
 end,
["core.cluster-sync"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local splitOn = ____bytes.splitOn
local ____store_2Drecords = require("core.store-records")
local addSpec = ____store_2Drecords.addSpec
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local STORE_MAPS = ____contract.STORE_MAPS
local SYNC_FIELDS = ____contract.SYNC_FIELDS
local SYNC_TABLE = ____contract.SYNC_TABLE
local ____journal = require("core.journal")
local formatRecord = ____journal.formatRecord
local parseRecord = ____journal.parseRecord
local recordCommand = ____journal.recordCommand
local ____runtime_2Dcmd = require("core.runtime-cmd")
local escapeCliArg = ____runtime_2Dcmd.escapeCliArg
--- Sync-table key stamped with the newest write: a node polls it and reads the table only when it moved.
____exports.SYNC_LATEST_KEY = "#latest"
--- A map record as a sync-table key: its journal line, with the writing node as the writer.
function ____exports.syncKey(r, node)
    if r.kind == "table" then
        return nil
    end
    return formatRecord(r, node)
end
--- The longest sync key a config needs: a prefix or qualified record (key and value each at most a
-- rule key and its marker) or a body, with the node and map names. Longer records are refused.
function ____exports.syncKeyLength(maxKeyLength, maxBodyBytes)
    local names = 2 + 48 + 1 + 64 + 1
    local key = maxKeyLength + 3
    local value = maxBodyBytes > key and maxBodyBytes or key
    return names + key + 1 + value
end
--- The runtime API command that writes one sync record (or the latest marker) with its stamp.
function ____exports.syncCommand(key, sec, usec)
    return (((((((((("set table " .. SYNC_TABLE) .. " key ") .. escapeCliArg(key)) .. " data.") .. SYNC_FIELDS.sec) .. " ") .. itoa(sec)) .. " data.") .. SYNC_FIELDS.usec) .. " ") .. itoa(usec)
end
--- Commands that publish the map records among `records` (none for table records), and how many were too long to.
function ____exports.syncCommands(records, node, sec, usec, keyLength)
    local cmds = {}
    local tooLong = 0
    for ____, r in ipairs(records) do
        do
            local k = ____exports.syncKey(r, node)
            if k == nil then
                goto __continue7
            end
            if #k > keyLength then
                tooLong = tooLong + 1
            else
                cmds[#cmds + 1] = ____exports.syncCommand(k, sec, usec)
            end
        end
        ::__continue7::
    end
    if #cmds > 0 then
        cmds[#cmds + 1] = ____exports.syncCommand(____exports.SYNC_LATEST_KEY, sec, usec)
    end
    return {cmds = cmds, tooLong = tooLong}
end
--- A stamp that orders writes: microseconds since the epoch (exact in a double and in Lua's integers).
function ____exports.syncStamp(sec, usec)
    return sec * 1000000 + usec
end
--- Of the entries read, the newest record per map key, when it is newer than what this node applied
-- (`applied`: map key -> stamp). Unparseable keys are counted in `bad`, never applied.
function ____exports.syncWinners(entries, applied)
    local best = {}
    local groups = {}
    local bad = {}
    for ____, e in ipairs(entries) do
        do
            if e.key == ____exports.SYNC_LATEST_KEY then
                goto __continue15
            end
            local p = parseRecord(e.key)
            if not p.ok or p.record.kind == "table" then
                bad[#bad + 1] = e.key
                goto __continue15
            end
            local group = (p.record.file .. "\t") .. p.record.key
            local stamp = ____exports.syncStamp(e.sec, e.usec)
            local known = best[group]
            if known == nil then
                groups[#groups + 1] = group
            end
            if known == nil or stamp > known.stamp or stamp == known.stamp and p.record.kind == "map-del" then
                best[group] = {group = group, stamp = stamp, record = p.record}
            end
        end
        ::__continue15::
    end
    local winners = {}
    for ____, g in ipairs(groups) do
        local w = best[g]
        local had = applied[g]
        if had == nil or w.stamp > had then
            winners[#winners + 1] = w
        end
    end
    return {winners = winners, bad = bad}
end
--- The rule a prefix or qualified map entry serves: its backend and base key (a prefix entry `/p/` serves
-- `^/p`). Undefined for other maps (bodies, reasons), which serve any rule.
function ____exports.mapEntryBase(file, key)
    local ext = ".map"
    if #file <= #ext or __TS__StringSubstring(file, #file - #ext) ~= ext then
        return nil
    end
    local stem = __TS__StringSubstring(file, 0, #file - #ext)
    if __TS__StringSubstring(stem, 0, #STORE_MAPS.prefixPrefix) == STORE_MAPS.prefixPrefix then
        if #key < 2 or __TS__StringCharCodeAt(key, #key - 1) ~= 47 then
            return nil
        end
        return {
            backend = __TS__StringSubstring(stem, #STORE_MAPS.prefixPrefix),
            base = "^" .. __TS__StringSubstring(key, 0, #key - 1)
        }
    end
    if __TS__StringSubstring(stem, 0, #STORE_MAPS.qualPrefix) == STORE_MAPS.qualPrefix then
        return {
            backend = __TS__StringSubstring(stem, #STORE_MAPS.qualPrefix),
            base = key
        }
    end
    return nil
end
--- The rule a synced map write waits for: peers may bring the write before the rule, and a prefix or
-- qualified entry is applied only once its rule is live in the node's own table. Undefined for
-- deletions and for bodies and reasons.
function ____exports.syncBase(r)
    local ____temp_0
    if r.kind == "map-set" then
        ____temp_0 = ____exports.mapEntryBase(r.file, r.key)
    else
        ____temp_0 = nil
    end
    return ____temp_0
end
--- Of a compaction's map pruning, what a cluster node may do: a node's records hold only the rules it
-- learned itself, so it drops a prefix or qualified entry only when its rule is not live in the table
-- (`live(backend, base)`), and keeps bodies and reasons (another node's rules may name them).
function ____exports.clusterPrune(prune, live)
    local out = {}
    for ____, r in ipairs(prune) do
        do
            if r.kind == "table" then
                goto __continue31
            end
            local b = ____exports.mapEntryBase(r.file, r.key)
            if b ~= nil and not live(b.backend, b.base) then
                out[#out + 1] = r
            end
        end
        ::__continue31::
    end
    return out
end
--- `show peers` section flags: the resync from the local peer (an old process) and from the remote ones is over (2.6 to 3.4 alike).
local RESYNC_FINISHED = 3
--- Section flags saying another node taught this one its tables, fully up to date or partially (a node
-- that never finished its own resync teaches "partially": everything it holds). 2.6 peers.c, and
-- include/haproxy/peers-t.h from 3.0 (the DBG_ flags).
local TAUGHT_26 = 512 + 2048
local TAUGHT_30 = 33554432 + 134217728
--- Whether `show peers <section>` says this process learned the tables: the resync is over (from an old
-- process and from the other nodes, or given up), or another node taught it. `major` is HAProxy's major
-- version (the flags moved in 3.0). Undefined when the answer has no such line.
function ____exports.peersResynced(showPeers, section, major)
    for ____, line in ipairs(splitOn(showPeers, 10)) do
        do
            if (string.find(line, (" id=" .. section) .. " ", nil, true) or 0) - 1 < 0 then
                goto __continue36
            end
            local at = (string.find(line, " flags=0x", nil, true) or 0) - 1
            if at < 0 then
                return nil
            end
            local v = 0
            do
                local i = at + 9
                while i < #line do
                    local c = __TS__StringCharCodeAt(line, i)
                    local d = c >= 48 and c <= 57 and c - 48 or (c >= 97 and c <= 102 and c - 87 or -1)
                    if d < 0 then
                        break
                    end
                    v = v * 16 + d
                    i = i + 1
                end
            end
            return v & RESYNC_FINISHED == RESYNC_FINISHED or v & (major < 3 and TAUGHT_26 or TAUGHT_30) ~= 0
        end
        ::__continue36::
    end
    return nil
end
--- The word after `name=` in a line, up to the next space (or the line's end).
local function wordAfter(line, name)
    local at = (string.find(line, (" " .. name) .. "=", nil, true) or 0) - 1
    if at < 0 then
        return ""
    end
    local from = at + #name + 2
    local sp = (string.find(
        line,
        " ",
        math.max(from + 1, 1),
        true
    ) or 0) - 1
    return sp < 0 and __TS__StringSubstring(line, from) or __TS__StringSubstring(line, from, sp)
end
--- The nodes `show peers <section>` lists (2.6 to 3.4 print each as `0x..: id=<name>(local|remote,...) addr=... last_status=... last_hdshk=...`).
function ____exports.peerLinks(showPeers)
    local out = {}
    for ____, line in ipairs(splitOn(showPeers, 10)) do
        do
            local id = wordAfter(line, "id")
            local paren = (string.find(id, "(", nil, true) or 0) - 1
            if paren <= 0 or (string.find(line, " last_status=", nil, true) or 0) - 1 < 0 then
                goto __continue46
            end
            local status = wordAfter(line, "last_status")
            out[#out + 1] = {
                name = __TS__StringSubstring(id, 0, paren),
                ["local"] = (string.find(id, "(local", nil, true) or 0) - 1 == paren,
                linked = status == "ESTA",
                status = status,
                handshake = wordAfter(line, "last_hdshk"),
                address = wordAfter(line, "addr")
            }
        end
        ::__continue46::
    end
    return out
end
--- How many other nodes `show peers` lists with an established link (a node none is linked to has nobody to learn from).
function ____exports.peersLinked(showPeers)
    local n = 0
    for ____, l in ipairs(____exports.peerLinks(showPeers)) do
        if not l["local"] and l.linked then
            n = n + 1
        end
    end
    return n
end
--- After a removal, when the removing node writes it again (ms after the first write). Peers keep the last
-- write of an entry, and a block on another node writes the entry too (its hit count, with the rule's
-- other fields as that node holds them): a block in flight while the removal spreads brings the rule
-- back on every node. Writing the removal again once those writes landed settles it.
____exports.REASSERT_AFTER_MS = {200, 1000, 3000}
--- Whether a removal stamped `stamp` is written again: unless nothing newer was written to the entry (a
-- rule learned again since) or the entry is gone. Also when this node still holds the removal: [T] a
-- node can hold the removal while another got an older write after it (peers keep no order between
-- two nodes' writes), and only a new write of the removal reaches every node again.
function ____exports.needsReassert(current, stamp)
    return current ~= nil and current.sessCnt <= stamp
end
--- The removal records among `records` that a cluster node writes again, with their commands and stamps.
function ____exports.reassertions(records)
    local out = {}
    for ____, r in ipairs(records) do
        do
            if r.kind ~= "table" then
                goto __continue55
            end
            local lifts = false
            local stamp = -1
            for ____, f in ipairs(r.fields) do
                if f.name == RULE_FIELDS.ruleExpiry and f.value == 0 then
                    lifts = true
                end
                if f.name == RULE_FIELDS.created then
                    stamp = f.value
                end
            end
            local command = recordCommand(r)
            if lifts and stamp >= 0 and command ~= nil then
                out[#out + 1] = {table = r.table, key = r.key, stamp = stamp, command = command}
            end
        end
        ::__continue55::
    end
    return out
end
--- Whether a map file is a backend's qualified-spec map (`eb_qual_<backend>.map`).
function ____exports.isQualMap(file)
    return __TS__StringSubstring(file, 0, #STORE_MAPS.qualPrefix) == STORE_MAPS.qualPrefix
end
--- A qualified-spec list (space-separated) is a whole value: two nodes adding a spec to the same base at
-- the same moment each publish their own list, and the newest alone would lose the other's rule. So a
-- node merges: every spec a record names, plus its own specs whose rule is still live (`live`). A spec
-- of a removed rule can linger in the list; matching then finds its entry lifted, as for any removal.
function ____exports.mergeSpecLists(incoming, ____local, live)
    local out = ""
    if incoming ~= nil then
        for ____, sp in ipairs(splitOn(incoming, 32)) do
            if #sp > 0 then
                out = addSpec(out, sp)
            end
        end
    end
    if ____local ~= nil then
        for ____, sp in ipairs(splitOn(____local, 32)) do
            if #sp > 0 and live(sp) then
                out = addSpec(out, sp)
            end
        end
    end
    return out
end
return ____exports
 end,
["core.compact"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Delete = ____lualib.__TS__Delete
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__Class = ____lualib.__TS__Class
local __TS__New = ____lualib.__TS__New
local ____exports = {}
local isPrefixMap, isQualMap, mapBackend
local ____answer = require("core.answer")
local answerBodyId = ____answer.answerBodyId
local answerDryRun = ____answer.answerDryRun
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local STORE_MAPS = ____contract.STORE_MAPS
local ____rule = require("core.rule")
local reasonIdOf = ____rule.reasonIdOf
function isPrefixMap(file)
    return __TS__StringSubstring(file, 0, #STORE_MAPS.prefixPrefix) == STORE_MAPS.prefixPrefix
end
function isQualMap(file)
    return __TS__StringSubstring(file, 0, #STORE_MAPS.qualPrefix) == STORE_MAPS.qualPrefix
end
function mapBackend(file)
    if isPrefixMap(file) then
        return __TS__StringSubstring(file, #STORE_MAPS.prefixPrefix, #file - 4)
    end
    if isQualMap(file) then
        return __TS__StringSubstring(file, #STORE_MAPS.qualPrefix, #file - 4)
    end
    return ""
end
function ____exports.emptyState()
    return {tables = {}, maps = {}}
end
function ____exports.applyRecord(s, r)
    if r.kind == "table" then
        if s.tables[r.table] == nil then
            s.tables[r.table] = {}
        end
        local t = s.tables[r.table]
        if t[r.key] == nil then
            t[r.key] = {}
        end
        local e = t[r.key]
        for ____, f in ipairs(r.fields) do
            e[f.name] = f.value
        end
    elseif r.kind == "map-set" then
        if s.maps[r.file] == nil then
            s.maps[r.file] = {}
        end
        s.maps[r.file][r.key] = r.value
    elseif s.maps[r.file] ~= nil then
        __TS__Delete(s.maps[r.file], r.key)
    end
end
local function isRuleTable(t)
    return __TS__StringSubstring(t, 0, #RULE_TABLE_PREFIX) == RULE_TABLE_PREFIX
end
--- Keys in pairs() order: callers that need an order sort (sorting 1M keys would hold Lua for long).
local function keysOf(o)
    local ks = {}
    for k in pairs(o) do
        if o[k] ~= nil then
            ks[#ks + 1] = k
        end
    end
    return ks
end
local function fieldList(e)
    local out = {}
    for ____, name in ipairs(keysOf(e)) do
        out[#out + 1] = {name = name, value = e[name]}
    end
    return out
end
--- Streaming compaction, so that memory follows the journal, not the store: the caller
-- 1. folds the snapshot's map records (`foldSnapshotMap`), then every record of the rotated
--    journal (`foldJournal`), in file order;
-- 2. calls `prepare()`, then hands over the snapshot's table records one by one (`snapshotEntry`),
--    writing the kept ones;
-- 3. writes what `journalEntries()` returns (entries only the journal has), then `finish()`'s maps.
-- Only map-referenced keys, body and reason ids and the census are remembered per entry.
____exports.Compactor = __TS__Class()
local Compactor = ____exports.Compactor
Compactor.name = "Compactor"
function Compactor.prototype.____constructor(self, now, tick)
    self.now = now
    self.tick = tick
    self.journal = ____exports.emptyState()
    self.needed = {}
    self.live = {}
    self.bodies = {}
    self.reasons = {}
    self.counts = {}
    self.done = {}
    self.journalOrder = {}
    self.nextExpiry = 0
    self.expiredCount = 0
    self.work = 0
    self.anyNeeded = false
    self.lastTable = ""
    self.lastReason = -1
end
function Compactor.prototype.step(self)
    self.work = self.work + 1
    if self.tick ~= nil and self.work % 20 == 0 then
        self.tick()
    end
end
function Compactor.prototype.foldSnapshotMap(self, r)
    if r.kind ~= "table" then
        ____exports.applyRecord(self.journal, r)
    end
end
function Compactor.prototype.foldJournal(self, r)
    if r.kind == "table" and (self.journal.tables[r.table] == nil or self.journal.tables[r.table][r.key] == nil) then
        local ____self_journalOrder_0 = self.journalOrder
        ____self_journalOrder_0[#____self_journalOrder_0 + 1] = {table = r.table, key = r.key}
    end
    ____exports.applyRecord(self.journal, r)
end
function Compactor.prototype.prepare(self)
    for ____, file in ipairs(keysOf(self.journal.maps)) do
        do
            local m = self.journal.maps[file]
            local prefix = isPrefixMap(file)
            local qual = isQualMap(file)
            if not prefix and not qual then
                goto __continue28
            end
            local ____table = RULE_TABLE_PREFIX .. mapBackend(file)
            for ____, key in ipairs(keysOf(m)) do
                self:step()
                if prefix then
                    self.needed[((____table .. "\t") .. m[key]) .. "\tbase"] = true
                else
                    for ____, spec in ipairs(splitOn(m[key], 32)) do
                        if #spec > 0 then
                            self.needed[(((____table .. "\t") .. key) .. " ") .. spec] = true
                        end
                    end
                end
                self.anyNeeded = true
            end
        end
        ::__continue28::
    end
end
function Compactor.prototype.snapshotEntry(self, ____table, key, fields)
    local j = self.journal.tables[____table]
    local ____temp_1
    if j == nil then
        ____temp_1 = nil
    else
        ____temp_1 = j[key]
    end
    local newer = ____temp_1
    local e = {}
    for ____, f in ipairs(fields) do
        e[f.name] = f.value
    end
    if newer == nil then
        return self:judge(____table, key, e, false)
    end
    self.done[(____table .. "\t") .. key] = true
    for ____, name in ipairs(keysOf(newer)) do
        e[name] = newer[name]
    end
    return self:judge(____table, key, e, true)
end
function Compactor.prototype.journalEntries(self)
    local out = {}
    for ____, ____value in ipairs(self.journalOrder) do
        local ____table = ____value.table
        local key = ____value.key
        do
            if self.done[(____table .. "\t") .. key] then
                goto __continue45
            end
            out[#out + 1] = {
                table = ____table,
                key = key,
                verdict = self:judge(____table, key, self.journal.tables[____table][key], true)
            }
        end
        ::__continue45::
    end
    return out
end
function Compactor.prototype.judge(self, ____table, key, e, merged)
    self:step()
    local rule = isRuleTable(____table)
    local fields = merged and fieldList(e) or ({})
    if not rule then
        return {keep = true, merged = merged, fields = fields, expired = false}
    end
    if ____table ~= self.lastTable then
        local be = __TS__StringSubstring(____table, #RULE_TABLE_PREFIX)
        if self.counts[be] == nil then
            self.counts[be] = {enforce = 0, dryRun = 0}
        end
        self.lastTable = ____table
        self.lastCounts = self.counts[be]
    end
    local counts = self.lastCounts
    local gpt0 = e[RULE_FIELDS.expiry] or 0
    local gpc1 = e[RULE_FIELDS.ruleExpiry] or 0
    if not (gpt0 > self.now) then
        self.expiredCount = self.expiredCount + 1
        return {keep = false, merged = merged, fields = fields, expired = true}
    end
    if gpt0 < self.nextExpiry or self.nextExpiry == 0 then
        self.nextExpiry = gpt0
    end
    if gpc1 > self.now and gpc1 < self.nextExpiry then
        self.nextExpiry = gpc1
    end
    local tk = self.anyNeeded and (____table .. "\t") .. key or ""
    if gpc1 > self.now then
        if self.anyNeeded and self.needed[tk] then
            self.live[tk] = true
        end
        local answer = e[RULE_FIELDS.answer] or 0
        if answerDryRun(answer) then
            counts.dryRun = counts.dryRun + 1
        else
            counts.enforce = counts.enforce + 1
        end
        local body = answerBodyId(answer)
        if body > 0 then
            self.bodies[itoa(body)] = true
        end
        local reason = reasonIdOf(e[RULE_FIELDS.reason] or 0)
        if reason ~= self.lastReason then
            self.reasons[itoa(reason)] = true
            self.lastReason = reason
        end
    end
    if self.anyNeeded and self.needed[tk .. "\tbase"] then
        self.live[tk .. "\tbase"] = true
    end
    return {keep = true, merged = merged, fields = fields, expired = false}
end
function Compactor.prototype.finish(self)
    local maps = {}
    local prune = {}
    for ____, file in ipairs(keysOf(self.journal.maps)) do
        local m = self.journal.maps[file]
        local prefix = isPrefixMap(file)
        local qual = isQualMap(file)
        local ____table = RULE_TABLE_PREFIX .. mapBackend(file)
        for ____, key in ipairs(keysOf(m)) do
            do
                self:step()
                local value = m[key]
                if prefix and not self.live[((____table .. "\t") .. value) .. "\tbase"] then
                    value = ""
                elseif qual then
                    local kept = ""
                    for ____, spec in ipairs(splitOn(value, 32)) do
                        if #spec > 0 and self.live[(((____table .. "\t") .. key) .. " ") .. spec] then
                            kept = (kept .. (#kept > 0 and " " or "")) .. spec
                        end
                    end
                    value = kept
                elseif file == STORE_MAPS.bodies and not self.bodies[key] then
                    value = ""
                elseif file == STORE_MAPS.reasons and not self.reasons[key] then
                    value = ""
                elseif file == STORE_MAPS.counters then
                    goto __continue64
                end
                if #value == 0 then
                    prune[#prune + 1] = {kind = "map-del", file = file, key = key}
                else
                    if value ~= m[key] then
                        prune[#prune + 1] = {kind = "map-set", file = file, key = key, value = value}
                    end
                    maps[#maps + 1] = {kind = "map-set", file = file, key = key, value = value}
                end
            end
            ::__continue64::
        end
    end
    local census = {}
    for ____, be in ipairs(keysOf(self.counts)) do
        census[#census + 1] = {backend = be, enforce = self.counts[be].enforce, dryRun = self.counts[be].dryRun}
    end
    return {
        maps = maps,
        prune = prune,
        census = census,
        nextExpiry = self.nextExpiry,
        expired = self.expiredCount
    }
end
--- Live rule entries (liveness gpt0 in the future), the control switches, and
-- the map entries still used by live rules, from a state folded in memory (the
-- streaming Compactor over one in-memory snapshot). Everything else is dropped,
-- and the map entries that are dropped are returned in `prune`.
function ____exports.compact(s, now, tick)
    local c = __TS__New(____exports.Compactor, now, tick)
    for ____, file in ipairs(keysOf(s.maps)) do
        for ____, key in ipairs(keysOf(s.maps[file])) do
            c:foldSnapshotMap({kind = "map-set", file = file, key = key, value = s.maps[file][key]})
        end
    end
    c:prepare()
    local records = {}
    local expired = {}
    for ____, ____table in ipairs(keysOf(s.tables)) do
        local t = s.tables[____table]
        for ____, key in ipairs(keysOf(t)) do
            local fields = fieldList(t[key])
            local v = c:snapshotEntry(____table, key, fields)
            if v.keep then
                records[#records + 1] = {kind = "table", table = ____table, key = key, fields = v.merged and v.fields or fields}
            elseif v.expired then
                expired[#expired + 1] = {table = ____table, key = key}
            end
        end
    end
    local f = c:finish()
    for ____, m in ipairs(f.maps) do
        records[#records + 1] = m
    end
    return {
        records = records,
        prune = f.prune,
        census = f.census,
        nextExpiry = f.nextExpiry,
        expired = expired
    }
end
return ____exports
 end,
["core.eviction"] = function(...) 
local ____exports = {}
--- True when HAProxy must never evict from a rule table: edgeblock refuses, or evicts by itself.
function ____exports.tableNeverPurges(onFull, hasStateDir)
    return onFull == "refuse" or hasStateDir
end
--- An entry that may be evicted: a rule (it has an answer) that is not also the index keeping a
-- longer-lived rule of the same base reachable (its liveness would then outlast its own expiry).
function ____exports.evictable(e)
    return e.answer > 0 and e.ruleExpiry > 0 and e.live <= e.ruleExpiry
end
--- True when the hand takes this entry (the CLOCK algorithm): not used since the hand last spared it
-- (`sparedAgoMs`; `touchedAgoMs` from the lookup: the table's expiry restarts at every write and hit),
-- or, on its first pass, never hit nor learned again since the learn the state line records.
function ____exports.takenByHand(e, recordCreated, sparedAgoMs, touchedAgoMs)
    if not ____exports.evictable(e) then
        return false
    end
    if sparedAgoMs == nil then
        return e.hits == 0 and e.created <= recordCreated
    end
    return touchedAgoMs >= sparedAgoMs
end
--- Lines the hand reads for one victim before it falls back to the least recently touched it saw.
____exports.HAND_LINES_PER_VICTIM = 64
--- The least recently touched evictable entry of those the hand saw (ties: the smaller key, so runs agree).
function ____exports.leastRecent(seen)
    local best
    for ____, e in ipairs(seen) do
        do
            if not ____exports.evictable(e) then
                goto __continue8
            end
            if best == nil or e.remainingMs < best.remainingMs or e.remainingMs == best.remainingMs and e.key < best.key then
                best = e
            end
        end
        ::__continue8::
    end
    return best
end
return ____exports
 end,
["core.generation"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__Number = ____lualib.__TS__Number
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__ArraySort = ____lualib.__TS__ArraySort
local __TS__ArrayFilter = ____lualib.__TS__ArrayFilter
local __TS__ArrayMap = ____lualib.__TS__ArrayMap
local ____exports = {}
local ____contract = require("core.contract")
local GENERATION_TOKEN_MAX = ____contract.GENERATION_TOKEN_MAX
local GENERATIONS_MAP = ____contract.GENERATIONS_MAP
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
--- A token: 1-64 bytes of letters, digits, `.`, `_` and `-` (a commit SHA, a version, a build id).
function ____exports.validGenerationToken(t)
    if t == nil or #t == 0 or #t > GENERATION_TOKEN_MAX then
        return false
    end
    do
        local i = 0
        while i < #t do
            local c = __TS__StringCharCodeAt(t, i)
            local ok = c >= 48 and c <= 57 or c >= 65 and c <= 90 or c >= 97 and c <= 122 or c == 46 or c == 95 or c == 45
            if not ok then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- The map key that lists a token as known for a backend.
function ____exports.generationKey(backend, token)
    return (backend .. ":") .. token
end
--- The writes that make `token` the backend's current generation, seen at `nowSec`. Rules carry their
-- creation second, so the generation counts from the next one: every rule of this second is retired too
-- (one learned under the new generation in it is taught again by the next signal; none stays wrongly),
-- and after the previous generation's first second.
function ____exports.generationRecords(backend, token, nowSec, previousSince)
    local prev = previousSince == nil and 0 or __TS__Number(previousSince)
    local since = itoa(prev >= nowSec + 1 and prev + 1 or nowSec + 1)
    return {
        {
            kind = "map-set",
            file = GENERATIONS_MAP,
            key = ____exports.generationKey(backend, token),
            value = since
        },
        {kind = "map-set", file = GENERATIONS_MAP, key = backend, value = since}
    }
end
--- A rule is stale when it was created before its backend's current generation began.
function ____exports.ruleStale(createdSec, generationSince)
    return generationSince ~= nil and createdSec < generationSince
end
--- The current generation of each backend, from the map's entries (as `show map` lists them).
function ____exports.generationsOf(entries)
    local since = {}
    local tokens = {}
    for ____, ____value in ipairs(entries) do
        local k = ____value[1]
        local v = ____value[2]
        local colon = (string.find(k, ":", nil, true) or 0) - 1
        local n = __TS__Number(v)
        if colon < 0 then
            since[k] = n
        else
            local be = __TS__StringSubstring(k, 0, colon)
            if tokens[be] == nil then
                tokens[be] = {}
            end
            local ____tokens_be_0 = tokens[be]
            ____tokens_be_0[#____tokens_be_0 + 1] = {
                __TS__StringSubstring(k, colon + 1),
                n
            }
        end
    end
    local out = {}
    for be in pairs(since) do
        local list = __TS__ArraySort(
            tokens[be] or ({}),
            function(____, a, b) return a[2] - b[2] end
        )
        local current = ""
        for ____, ____value in ipairs(list) do
            local t = ____value[1]
            local s = ____value[2]
            if s == since[be] then
                current = t
            end
        end
        out[be] = {
            token = current,
            since = since[be],
            earlier = __TS__ArrayMap(
                __TS__ArrayFilter(
                    list,
                    function(____, ____bindingPattern0)
                        local t
                        t = ____bindingPattern0[1]
                        return t ~= current
                    end
                ),
                function(____, ____bindingPattern0)
                    local t
                    t = ____bindingPattern0[1]
                    return t
                end
            )
        }
    end
    return out
end
--- The creation second a rule learned now gets: a signal in a response that names the backend's current
-- generation counts from that generation's first second (which lies one second ahead of the moment it was
-- seen), so it is not stale; one that names an older generation (a server a rolling deploy has not reached
-- yet) is created just before the current one began, so it stays stale; one that names none is created now.
function ____exports.createdUnder(nowSec, currentSince, tokenSince)
    if currentSince == nil or tokenSince == nil then
        return nowSec
    end
    local current = __TS__Number(currentSince)
    if currentSince ~= tokenSince then
        return __TS__Number(tokenSince) < current and current - 1 < nowSec and current - 1 or nowSec
    end
    return current > nowSec and current or nowSec
end
return ____exports
 end,
["core.metrics"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local BLOCK_STAT = ____contract.BLOCK_STAT
local function escapeLabel(v)
    local out = ""
    do
        local i = 0
        while i < #v do
            local c = __TS__StringCharCodeAt(v, i)
            if c == 92 then
                out = out .. "\\\\"
            elseif c == 34 then
                out = out .. "\\\""
            elseif c == 10 then
                out = out .. "\\n"
            else
                out = out .. string.char(c)
            end
            i = i + 1
        end
    end
    return out
end
local function labels(____pairs)
    if #____pairs == 0 then
        return ""
    end
    local out = "{"
    do
        local i = 0
        while i < #____pairs do
            out = ((((out .. (i > 0 and "," or "")) .. ____pairs[i + 1][1]) .. "=\"") .. escapeLabel(____pairs[i + 1][2])) .. "\""
            i = i + 1
        end
    end
    return out .. "}"
end
--- Sum `<thread>:<name>` entries of the counters map into per-name totals (gauges from the census are not summed twice: one writer).
function ____exports.sumCounters(entries)
    local totals = {}
    local order = {}
    for ____, e in ipairs(entries) do
        local colon = (string.find(e.name, ":", nil, true) or 0) - 1
        local name = colon >= 0 and __TS__StringSubstring(e.name, colon + 1) or e.name
        if totals[name] == nil then
            totals[name] = 0
            order[#order + 1] = name
        end
        totals[name] = totals[name] + e.value
    end
    local out = {}
    for ____, n in ipairs(order) do
        out[#out + 1] = {name = n, value = totals[n]}
    end
    return out
end
function ____exports.formatMetrics(m)
    local fam = {}
    local order = {}
    local function add(name, ____type, help, lbls, value)
        if fam[name] == nil then
            fam[name] = {name = name, type = ____type, help = help, lines = {}}
            order[#order + 1] = name
        end
        local ____fam_name_lines_0 = fam[name].lines
        ____fam_name_lines_0[#____fam_name_lines_0 + 1] = ((name .. labels(lbls)) .. " ") .. itoa(value)
    end
    add(
        "edgeblock_enforcement_enabled",
        "gauge",
        "1 when matching requests are blocked, 0 when the kill switch makes every match dry-run.",
        {},
        m.enforcement and 1 or 0
    )
    for ____, t in ipairs(m.tables) do
        add(
            "edgeblock_store_capacity_entries",
            "gauge",
            "Size of the backend's rule table (entries).",
            {{"backend", t.backend}},
            t.size
        )
        add(
            "edgeblock_store_entries",
            "gauge",
            "Entries in the backend's rule table, index entries and not yet swept expired rules included.",
            {{"backend", t.backend}},
            t.used
        )
    end
    for ____, c in ipairs(m.counters) do
        local p = splitOn(c.name, 58)
        if p[1] == "signal" and #p == 3 then
            add(
                "edgeblock_signals_total",
                "counter",
                "Signals received from backends, by outcome (learned, ignored, rejected, removed, pending) and reason.",
                {{"outcome", p[2]}, {"reason", p[3]}},
                c.value
            )
        elseif p[1] == "rules_learned" and #p == 2 then
            add(
                "edgeblock_rules_learned_total",
                "counter",
                "Rules learned, by reason label.",
                {{"reason", p[2]}},
                c.value
            )
        elseif p[1] == "rules_removed" and #p == 2 then
            add(
                "edgeblock_rules_removed_total",
                "counter",
                "Rules removed, by who removed them (signal or operator).",
                {{"by", p[2]}},
                c.value
            )
        elseif p[1] == "rules_expired" and #p == 1 then
            add(
                "edgeblock_rules_expired_total",
                "counter",
                "Expired rules freed by the sweeper.",
                {},
                c.value
            )
        elseif p[1] == "rules_evicted" and #p == 1 then
            add(
                "edgeblock_rules_evicted_total",
                "counter",
                "Rules that pushed out another entry because the table was full.",
                {},
                c.value
            )
        elseif p[1] == "rules_pending" and #p == 1 then
            add(
                "edgeblock_rules_pending_total",
                "counter",
                "Rule signals waiting for the confirmation threshold.",
                {},
                c.value
            )
        elseif p[1] == "lua_errors" and #p == 2 then
            add(
                "edgeblock_lua_errors_total",
                "counter",
                "Failures of an edgeblock Lua entry point (learn, match, normalize, wait, metrics, maintenance, ...); each failed open: the request went on as if edgeblock had nothing to say.",
                {{"entry", p[2]}},
                c.value
            )
        elseif p[1] == "gauge" and p[2] == "rules_active" and #p == 4 then
            add(
                "edgeblock_rules_active",
                "gauge",
                "Live rules per backend and mode (from the last census).",
                {{"backend", p[3]}, {"mode", p[4]}},
                c.value
            )
        elseif p[1] == "gauge" and p[2] == "journal_backlog_bytes" and #p == 2 then
            add(
                "edgeblock_journal_backlog_bytes",
                "gauge",
                "Journal text held in memory because the state folder could not be written (full disk, read-only); 0 when everything is on disk.",
                {},
                c.value
            )
        elseif #p == 1 then
            add(
                ("edgeblock_" .. p[1]) .. "_total",
                "counter",
                ("edgeblock internal event count: " .. p[1]) .. ".",
                {},
                c.value
            )
        end
    end
    for ____, n in ipairs(m.native) do
        do
            local p = splitOn(n.name, 58)
            if #p ~= 3 then
                goto __continue36
            end
            if p[1] == BLOCK_STAT.blocked then
                add(
                    "edgeblock_requests_blocked_total",
                    "counter",
                    "Requests answered by the edge, by status and rule reason.",
                    {{"status", p[2]}, {"reason", p[3]}},
                    n.value
                )
            elseif p[1] == BLOCK_STAT.wouldBlock then
                add(
                    "edgeblock_requests_would_block_total",
                    "counter",
                    "Requests a dry-run rule matched and let through, by status and rule reason.",
                    {{"status", p[2]}, {"reason", p[3]}},
                    n.value
                )
            elseif p[1] == BLOCK_STAT.rateLimited then
                add(
                    "edgeblock_requests_rate_limited_total",
                    "counter",
                    "Requests answered 429 by a rate limit (rate_limits), by limit.",
                    {{"limit", p[3]}},
                    n.value
                )
            end
        end
        ::__continue36::
    end
    local out = ""
    for ____, name in ipairs(order) do
        local f = fam[name]
        out = ((((((((out .. "# HELP ") .. f.name) .. " ") .. f.help) .. "\n# TYPE ") .. f.name) .. " ") .. f.type) .. "\n"
        for ____, l in ipairs(f.lines) do
            out = (out .. l) .. "\n"
        end
    end
    return out
end
return ____exports
 end,
["core.policy"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____rulekey = require("core.rulekey")
local ruleKeys = ____rulekey.ruleKeys
--- What the request path + `/` is compared with (`-m beg`) for an allowlisted prefix: the prefix with one
-- trailing `/`. So `/static` and `/static/` both cover `/static`, `/static/` and everything below.
function ____exports.allowPrefixProbe(prefix)
    return __TS__StringCharCodeAt(prefix, #prefix - 1) == 47 and prefix or prefix .. "/"
end
--- The allowlist entry that covers a normalised path (`exact /health`, `prefix /static/`), if any: the one decision learning, explain and haproxy.cfg's lines share.
function ____exports.allowlistEntry(path, allow)
    for ____, p in ipairs(allow.allowExact) do
        if p == path then
            return "exact " .. p
        end
    end
    local probe = path .. "/"
    for ____, p in ipairs(allow.allowPrefix) do
        local want = ____exports.allowPrefixProbe(p)
        if #probe >= #want and __TS__StringSubstring(probe, 0, #want) == want then
            return "prefix " .. p
        end
    end
    return nil
end
function ____exports.isAllowlisted(path, allow)
    return ____exports.allowlistEntry(path, allow) ~= nil
end
--- Why a parsed rule may not be stored, whoever asked for it (a backend's signal or `edgeblock rules add`); undefined when it may.
function ____exports.admitBlock(r, settings)
    for ____, key in ipairs(ruleKeys(r.match)) do
        if #key > settings.maxKeyLength then
            return {
                reason = "out-of-range",
                detail = ("rule key longer than " .. tostring(settings.maxKeyLength)) .. " bytes"
            }
        end
    end
    if ____exports.isAllowlisted(r.match.path, settings) then
        return {reason = "allowlisted", detail = "path is allowlisted"}
    end
    return nil
end
--- Token bucket: `rate` tokens per second, at most `burst`. Takes `cost` tokens
-- when available and says whether it did. Times in integer milliseconds.
function ____exports.takeTokens(b, nowMs, rate, burst, cost)
    if rate <= 0 then
        return true
    end
    local cap = burst > 0 and burst or rate
    local elapsed = nowMs > b.last and nowMs - b.last or 0
    b.tokens = b.tokens + elapsed * rate / 1000
    if b.tokens > cap then
        b.tokens = cap
    end
    b.last = nowMs
    if b.tokens + 1e-9 < cost then
        return false
    end
    b.tokens = b.tokens - cost
    return true
end
return ____exports
 end,
["core.sfv"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Class = ____lualib.__TS__Class
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__New = ____lualib.__TS__New
local Error = ____lualib.Error
local RangeError = ____lualib.RangeError
local ReferenceError = ____lualib.ReferenceError
local SyntaxError = ____lualib.SyntaxError
local TypeError = ____lualib.TypeError
local URIError = ____lualib.URIError
local ____exports = {}
local ____bytes = require("core.bytes")
local isAlpha = ____bytes.isAlpha
local isDigit = ____bytes.isDigit
local itoa = ____bytes.itoa
local Cursor = __TS__Class()
Cursor.name = "Cursor"
function Cursor.prototype.____constructor(self, s)
    self.s = s
    self.pos = 0
end
function Cursor.prototype.peek(self)
    return self.pos < #self.s and __TS__StringCharCodeAt(self.s, self.pos) or -1
end
function Cursor.prototype.eof(self)
    return self.pos >= #self.s
end
local function isLcAlpha(c)
    return c >= 97 and c <= 122
end
--- RFC 9110 tchar.
local function isTchar(c)
    if isAlpha(c) or isDigit(c) then
        return true
    end
    return c == 33 or c == 35 or c == 36 or c == 37 or c == 38 or c == 39 or c == 42 or c == 43 or c == 45 or c == 46 or c == 94 or c == 95 or c == 96 or c == 124 or c == 126
end
--- Bytes after a token's first: tchar, ":" and "/".
local function isTokenChar(c)
    return isTchar(c) or c == 58 or c == 47
end
--- Bytes after a key's first: lcalpha, DIGIT, "_", "-", ".", "*".
local function isKeyChar(c)
    return isLcAlpha(c) or isDigit(c) or c == 95 or c == 45 or c == 46 or c == 42
end
local function isBase64(c)
    return isAlpha(c) or isDigit(c) or c == 43 or c == 47 or c == 61
end
local function skipSp(c)
    while c:peek() == 32 do
        c.pos = c.pos + 1
    end
end
local function skipOws(c)
    while c:peek() == 32 or c:peek() == 9 do
        c.pos = c.pos + 1
    end
end
local function parseKey(c)
    local first = c:peek()
    if not isLcAlpha(first) and first ~= 42 then
        return {error = "parameter key must start with a-z or *"}
    end
    local start = c.pos
    c.pos = c.pos + 1
    while isKeyChar(c:peek()) do
        c.pos = c.pos + 1
    end
    return __TS__StringSubstring(c.s, start, c.pos)
end
local function parseNumber(c)
    local start = c.pos
    local neg = false
    if c:peek() == 45 then
        neg = true
        c.pos = c.pos + 1
    end
    if not isDigit(c:peek()) then
        return {error = "expected a digit"}
    end
    local intDigits = 0
    local value = 0
    while isDigit(c:peek()) do
        value = value * 10 + (c:peek() - 48)
        intDigits = intDigits + 1
        c.pos = c.pos + 1
        if intDigits > 15 then
            return {error = "integer has more than 15 digits"}
        end
    end
    if c:peek() ~= 46 then
        return {t = "int", v = neg and -value or value}
    end
    if intDigits > 12 then
        return {error = "decimal has more than 12 integer digits"}
    end
    c.pos = c.pos + 1
    local frac = 0
    while isDigit(c:peek()) do
        frac = frac + 1
        c.pos = c.pos + 1
        if frac > 3 then
            return {error = "decimal has more than 3 fraction digits"}
        end
    end
    if frac == 0 then
        return {error = "decimal ends with a dot"}
    end
    return {
        t = "dec",
        v = __TS__StringSubstring(c.s, start, c.pos)
    }
end
local function parseString(c)
    c.pos = c.pos + 1
    local out = ""
    do
        while true do
            if c:eof() then
                return {error = "unterminated string"}
            end
            local ch = c:peek()
            c.pos = c.pos + 1
            if ch == 92 then
                local n = c:peek()
                if n ~= 34 and n ~= 92 then
                    return {error = "bad escape in string"}
                end
                out = out .. string.char(n)
                c.pos = c.pos + 1
            elseif ch == 34 then
                return {t = "str", v = out}
            elseif ch < 32 or ch > 126 then
                return {error = "string has a byte outside printable ASCII"}
            else
                out = out .. string.char(ch)
            end
        end
    end
end
local function parseBareItem(c)
    local ch = c:peek()
    if ch == 45 or isDigit(ch) then
        return parseNumber(c)
    end
    if ch == 34 then
        return parseString(c)
    end
    if isAlpha(ch) or ch == 42 then
        local start = c.pos
        c.pos = c.pos + 1
        while isTokenChar(c:peek()) do
            c.pos = c.pos + 1
        end
        return {
            t = "tok",
            v = __TS__StringSubstring(c.s, start, c.pos)
        }
    end
    if ch == 58 then
        c.pos = c.pos + 1
        local start = c.pos
        while isBase64(c:peek()) do
            c.pos = c.pos + 1
        end
        if c:peek() ~= 58 then
            return {error = "unterminated byte sequence"}
        end
        local v = __TS__StringSubstring(c.s, start, c.pos)
        c.pos = c.pos + 1
        return {t = "bytes", v = v}
    end
    if ch == 63 then
        c.pos = c.pos + 1
        local b = c:peek()
        if b ~= 48 and b ~= 49 then
            return {error = "boolean must be ?0 or ?1"}
        end
        c.pos = c.pos + 1
        return {t = "bool", v = b == 49}
    end
    return {error = "unexpected byte"}
end
local function parseParams(c)
    local params = {}
    while c:peek() == 59 do
        c.pos = c.pos + 1
        skipSp(c)
        local key = parseKey(c)
        if type(key) ~= "string" then
            return key
        end
        local value = {t = "bool", v = true}
        if c:peek() == 61 then
            c.pos = c.pos + 1
            local v = parseBareItem(c)
            if v.error ~= nil then
                return v
            end
            value = v
        end
        local replaced = false
        do
            local i = 0
            while i < #params do
                if params[i + 1].key == key then
                    params[i + 1] = {key = key, value = value}
                    replaced = true
                end
                i = i + 1
            end
        end
        if not replaced then
            params[#params + 1] = {key = key, value = value}
        end
    end
    return params
end
local function parseMember(c)
    if c:peek() == 40 then
        c.pos = c.pos + 1
        do
            while true do
                skipSp(c)
                if c:peek() == 41 then
                    c.pos = c.pos + 1
                    break
                end
                if c:eof() then
                    return {error = "unterminated inner list"}
                end
                local v = parseBareItem(c)
                if v.error ~= nil then
                    return v
                end
                local p = parseParams(c)
                if p.error ~= nil then
                    return p
                end
                local n = c:peek()
                if n ~= 32 and n ~= 41 then
                    return {error = "bad inner list"}
                end
            end
        end
        local p = parseParams(c)
        if p.error ~= nil then
            return p
        end
        return {value = {t = "bool", v = false}, params = p, inner = true}
    end
    local v = parseBareItem(c)
    if v.error ~= nil then
        return v
    end
    local p = parseParams(c)
    if p.error ~= nil then
        return p
    end
    return {value = v, params = p, inner = false}
end
--- Parse a List from one or more field lines (RFC 8941 §4.2: lines are joined with commas).
function ____exports.parseList(lines)
    local input = ""
    do
        local i = 0
        while i < #lines do
            input = (input .. (i > 0 and "," or "")) .. lines[i + 1]
            i = i + 1
        end
    end
    local c = __TS__New(Cursor, input)
    skipSp(c)
    local items = {}
    if c:eof() then
        return {ok = true, items = items}
    end
    do
        while true do
            local m = parseMember(c)
            if m.error ~= nil then
                return {
                    ok = false,
                    error = (m.error .. " at byte ") .. tostring(c.pos)
                }
            end
            items[#items + 1] = m
            skipOws(c)
            if c:eof() then
                break
            end
            if c:peek() ~= 44 then
                return {
                    ok = false,
                    error = "expected a comma at byte " .. tostring(c.pos)
                }
            end
            c.pos = c.pos + 1
            skipOws(c)
            if c:eof() then
                return {ok = false, error = "trailing comma"}
            end
        end
    end
    return {ok = true, items = items}
end
local function isKey(s)
    if #s == 0 then
        return false
    end
    local first = string.byte(s, 1) or 0 / 0
    if not isLcAlpha(first) and first ~= 42 then
        return false
    end
    do
        local i = 1
        while i < #s do
            if not isKeyChar(__TS__StringCharCodeAt(s, i)) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
local function isToken(s)
    if #s == 0 then
        return false
    end
    local first = string.byte(s, 1) or 0 / 0
    if not isAlpha(first) and first ~= 42 then
        return false
    end
    do
        local i = 1
        while i < #s do
            if not isTokenChar(__TS__StringCharCodeAt(s, i)) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
--- A Decimal's text as the parser keeps it: -?DIGIT{1,12}.DIGIT{1,3}.
local function isDecimalText(s)
    local i = #s > 0 and (string.byte(s, 1) or 0 / 0) == 45 and 1 or 0
    local intStart = i
    while i < #s and isDigit(__TS__StringCharCodeAt(s, i)) do
        i = i + 1
    end
    local intDigits = i - intStart
    if intDigits < 1 or intDigits > 12 or i >= #s or __TS__StringCharCodeAt(s, i) ~= 46 then
        return false
    end
    i = i + 1
    local fracDigits = #s - i
    if fracDigits < 1 or fracDigits > 3 then
        return false
    end
    do
        while i < #s do
            if not isDigit(__TS__StringCharCodeAt(s, i)) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
local function isBase64Text(s)
    do
        local i = 0
        while i < #s do
            if not isBase64(__TS__StringCharCodeAt(s, i)) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
local function serializeString(s)
    local out = "\""
    do
        local i = 0
        while i < #s do
            local ch = __TS__StringCharCodeAt(s, i)
            if ch == 34 or ch == 92 then
                out = out .. "\\"
            end
            out = out .. string.char(ch)
            i = i + 1
        end
    end
    return out .. "\""
end
--- Why RFC 8941 §4.1 cannot serialise this bare item, or undefined when it can.
local function bareItemError(b)
    if b.t == "int" then
        if math.floor(b.v) ~= b.v or b.v > 999999999999999 or b.v < -999999999999999 then
            return "integer out of range"
        end
    elseif b.t == "dec" then
        if not isDecimalText(b.v) then
            return "decimal is not -?DIGIT{1,12}.DIGIT{1,3}"
        end
    elseif b.t == "str" then
        do
            local i = 0
            while i < #b.v do
                local ch = __TS__StringCharCodeAt(b.v, i)
                if ch < 32 or ch > 126 then
                    return "string has a byte outside printable ASCII"
                end
                i = i + 1
            end
        end
    elseif b.t == "tok" then
        if not isToken(b.v) then
            return "not a token"
        end
    elseif b.t == "bytes" then
        if not isBase64Text(b.v) then
            return "byte sequence is not base64 text"
        end
    end
    return nil
end
function ____exports.serializeBareItem(b)
    if b.t == "int" then
        return itoa(b.v)
    end
    if b.t == "dec" then
        return b.v
    end
    if b.t == "str" then
        return serializeString(b.v)
    end
    if b.t == "tok" then
        return b.v
    end
    if b.t == "bytes" then
        return (":" .. b.v) .. ":"
    end
    return b.v and "?1" or "?0"
end
--- RFC 8941 §4.1.1 List serialisation (booleans true as bare keys); fails, as the RFC says, on what the syntax cannot carry.
function ____exports.trySerializeList(items)
    local out = ""
    do
        local i = 0
        while i < #items do
            local it = items[i + 1]
            if it.inner then
                return {
                    ok = false,
                    error = ("inner list members are not kept (member " .. tostring(i)) .. ")"
                }
            end
            local e = bareItemError(it.value)
            if e ~= nil then
                return {
                    ok = false,
                    error = ((e .. " (member ") .. tostring(i)) .. ")"
                }
            end
            out = (out .. (i > 0 and ", " or "")) .. ____exports.serializeBareItem(it.value)
            for ____, p in ipairs(it.params) do
                if not isKey(p.key) then
                    return {
                        ok = false,
                        error = ("bad parameter key (member " .. tostring(i)) .. ")"
                    }
                end
                local pe = bareItemError(p.value)
                if pe ~= nil then
                    return {ok = false, error = ((pe .. " (parameter ") .. p.key) .. ")"}
                end
                out = (out .. ";") .. p.key
                if not (p.value.t == "bool" and p.value.v) then
                    out = (out .. "=") .. ____exports.serializeBareItem(p.value)
                end
            end
            i = i + 1
        end
    end
    return {ok = true, text = out}
end
--- For lists built from validated input (the SDK, formatBlocks): a value RFC 8941 cannot carry is a bug, so it throws.
function ____exports.serializeList(items)
    local r = ____exports.trySerializeList(items)
    if not r.ok then
        error(
            __TS__New(Error, "RFC 8941 cannot serialise this list: " .. r.error),
            0
        )
    end
    return r.text
end
return ____exports
 end,
["core.protocol"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__SparseArrayNew = ____lualib.__TS__SparseArrayNew
local __TS__SparseArrayPush = ____lualib.__TS__SparseArrayPush
local __TS__SparseArraySpread = ____lualib.__TS__SparseArraySpread
local ____exports = {}
local str
local ____bytes = require("core.bytes")
local asciiUpper = ____bytes.asciiUpper
local isAlpha = ____bytes.isAlpha
local isDigit = ____bytes.isDigit
local isPrintableAscii = ____bytes.isPrintableAscii
local splitOn = ____bytes.splitOn
local ____path = require("core.path")
local normalizePath = ____path.normalizePath
local ____rulekey = require("core.rulekey")
local isMethodToken = ____rulekey.isMethodToken
local isQueryName = ____rulekey.isQueryName
local normalizeHost = ____rulekey.normalizeHost
local withHead = ____rulekey.withHead
local ____sfv = require("core.sfv")
local parseList = ____sfv.parseList
local serializeList = ____sfv.serializeList
local trySerializeList = ____sfv.trySerializeList
local ____verdict = require("core.verdict")
local isAllowedStatus = ____verdict.isAllowedStatus
local statusNotAllowed = ____verdict.statusNotAllowed
local ____policy = require("core.policy")
local admitBlock = ____policy.admitBlock
function str(v)
    return {t = "str", v = v}
end
--- True for a byte that may start an RFC 8941 token.
function ____exports.isTokenStart(c)
    return isAlpha(c) or c == 42
end
--- Parameters each action accepts. Anything else rejects the signal (typos must not silently widen a rule).
local MATCH_PARAMS = {
    "path",
    "prefix",
    "methods",
    "host",
    "auth",
    "query"
}
local BLOCK_PARAMS = {
    "status",
    "body",
    "ttl",
    "reason",
    "dry-run"
}
____exports.DEFAULT_RULE_REASON = "edge-rule"
____exports.MAX_REASON_LENGTH = 48
____exports.MAX_QUERY_CONDS = 8
____exports.MAX_METHODS = 8
local function reject(reason, detail)
    return {reason = reason, detail = detail}
end
local function param(item, key)
    for ____, p in ipairs(item.params) do
        if p.key == key then
            return p.value
        end
    end
    return nil
end
local function textOf(b)
    return (b.t == "str" or b.t == "tok") and b.v or nil
end
--- Reason labels end up as metric label values and log fields: a small alphabet.
function ____exports.isReasonLabel(s)
    if #s == 0 or #s > ____exports.MAX_REASON_LENGTH then
        return false
    end
    do
        local i = 0
        while i < #s do
            local c = __TS__StringCharCodeAt(s, i)
            if not (c >= 97 and c <= 122 or isDigit(c) or c == 45 or c == 95 or c == 46) then
                return false
            end
            i = i + 1
        end
    end
    return true
end
local function sortedUnique(xs)
    local out = {}
    for ____, x in ipairs(xs) do
        local seen = false
        for ____, y in ipairs(out) do
            if y == x then
                seen = true
            end
        end
        if not seen then
            out[#out + 1] = x
        end
    end
    do
        local i = 1
        while i < #out do
            local v = out[i + 1]
            local j = i - 1
            while j >= 0 and out[j + 1] > v do
                out[j + 1 + 1] = out[j + 1]
                j = j - 1
            end
            out[j + 1 + 1] = v
            i = i + 1
        end
    end
    return out
end
local function parseMatch(item, ctx, settings, defaultMethods)
    local path = ctx.path
    local p = param(item, "path")
    if p ~= nil then
        local t = textOf(p)
        if t == nil or p.t ~= "str" then
            return reject("malformed", "path must be a string")
        end
        path = t
    end
    if path == nil then
        return reject("no-request-path", "no path parameter and no captured request path")
    end
    local n = normalizePath(path, settings, settings.maxKeyLength - 1)
    if not n.ok then
        return reject("path-invalid", n.error)
    end
    local prefix = false
    local pf = param(item, "prefix")
    if pf ~= nil then
        if pf.t ~= "bool" then
            return reject("malformed", "prefix must be a boolean")
        end
        prefix = pf.v
    end
    if prefix and n.path == "/" then
        return reject("out-of-range", "a prefix rule cannot cover the whole site")
    end
    local methods = {}
    local m = param(item, "methods")
    if m == nil then
        for ____, x in ipairs(defaultMethods) do
            methods[#methods + 1] = x
        end
    else
        local t = textOf(m)
        if t == nil then
            return reject("malformed", "methods must be a string or token")
        end
        if t ~= "*" then
            for ____, word in ipairs(splitOn(t, 32)) do
                do
                    if #word == 0 then
                        goto __continue37
                    end
                    local up = asciiUpper(word)
                    if not isMethodToken(up) then
                        return reject("malformed", "bad method")
                    end
                    methods[#methods + 1] = up
                end
                ::__continue37::
            end
            if #methods == 0 then
                return reject("malformed", "empty methods")
            end
        end
    end
    methods = sortedUnique(methods)
    if #methods > ____exports.MAX_METHODS then
        return reject(
            "out-of-range",
            ("more than " .. tostring(____exports.MAX_METHODS)) .. " methods"
        )
    end
    methods = withHead(methods)
    local host
    local h = param(item, "host")
    if h ~= nil then
        local t = textOf(h)
        if t == nil or h.t ~= "str" then
            return reject("malformed", "host must be a string")
        end
        host = normalizeHost(t)
        if host == nil then
            return reject("malformed", "bad host")
        end
    end
    local auth
    local a = param(item, "auth")
    if a ~= nil then
        local t = textOf(a)
        if t == "anon" or t == "authed" then
            auth = t
        elseif t ~= "any" then
            return reject("malformed", "auth must be anon, authed or any")
        end
    end
    local query = {}
    local q = param(item, "query")
    if q ~= nil then
        local t = textOf(q)
        if t == nil or q.t ~= "str" then
            return reject("malformed", "query must be a string")
        end
        local names = {}
        for ____, word in ipairs(splitOn(t, 32)) do
            do
                if #word == 0 then
                    goto __continue51
                end
                local absent = (string.byte(word, 1) or 0 / 0) == 33
                local name = absent and __TS__StringSubstring(word, 1) or word
                if not isQueryName(name) then
                    return reject("malformed", "bad query parameter name")
                end
                for ____, seen in ipairs(names) do
                    if seen == name then
                        return reject("malformed", "query parameter named twice")
                    end
                end
                names[#names + 1] = name
                query[#query + 1] = {name = name, present = not absent}
            end
            ::__continue51::
        end
        if #query == 0 then
            return reject("malformed", "empty query")
        end
        if #query > ____exports.MAX_QUERY_CONDS then
            return reject(
                "out-of-range",
                ("more than " .. tostring(____exports.MAX_QUERY_CONDS)) .. " query conditions"
            )
        end
        do
            local i = 1
            while i < #query do
                local v = query[i + 1]
                local j = i - 1
                while j >= 0 and query[j + 1].name > v.name do
                    query[j + 1 + 1] = query[j + 1]
                    j = j - 1
                end
                query[j + 1 + 1] = v
                i = i + 1
            end
        end
    end
    return {
        path = n.path,
        prefix = prefix,
        methods = methods,
        host = host,
        auth = auth,
        query = query
    }
end
local function checkKnown(item, allowed)
    for ____, p in ipairs(item.params) do
        local ok = false
        for ____, a in ipairs(allowed) do
            if a == p.key then
                ok = true
            end
        end
        if not ok then
            return p.key
        end
    end
    return nil
end
local function parseBlock(item, ctx, settings)
    local ____checkKnown_2 = checkKnown
    local ____item_1 = item
    local ____array_0 = __TS__SparseArrayNew(table.unpack(MATCH_PARAMS))
    __TS__SparseArrayPush(
        ____array_0,
        table.unpack(BLOCK_PARAMS)
    )
    local unknown = ____checkKnown_2(
        ____item_1,
        {__TS__SparseArraySpread(____array_0)}
    )
    if unknown ~= nil then
        return reject("unknown-parameter", unknown)
    end
    local match = parseMatch(item, ctx, settings, #ctx.method > 0 and ({ctx.method}) or ({}))
    if match.reason ~= nil and match.detail ~= nil then
        return match
    end
    local m = match
    local status = ctx.status >= 400 and ctx.status <= 599 and isAllowedStatus(ctx.status, settings) and ctx.status or settings.defaultStatus
    local s = param(item, "status")
    if s ~= nil then
        if s.t ~= "int" then
            return reject("malformed", "status must be an integer")
        end
        if not isAllowedStatus(s.v, settings) then
            return reject(
                "status-not-allowed",
                statusNotAllowed(s.v, settings)
            )
        end
        status = s.v
    end
    local body = ""
    local b = param(item, "body")
    if b ~= nil then
        if b.t ~= "str" then
            return reject("malformed", "body must be a string")
        end
        if #b.v > settings.maxBodyBytes then
            return reject(
                "out-of-range",
                ("body longer than " .. tostring(settings.maxBodyBytes)) .. " bytes"
            )
        end
        if not isPrintableAscii(b.v) then
            return reject("malformed", "body must be printable ASCII")
        end
        body = b.v
    end
    local ttl = settings.defaultTtl
    local t = param(item, "ttl")
    if t ~= nil then
        if t.t ~= "int" then
            return reject("malformed", "ttl must be an integer")
        end
        if t.v < 1 then
            return reject("out-of-range", "ttl must be at least 1")
        end
        ttl = t.v > settings.maxTtl and settings.maxTtl or t.v
    end
    local reason = ____exports.DEFAULT_RULE_REASON
    local r = param(item, "reason")
    if r ~= nil then
        local text = textOf(r)
        if text == nil or not ____exports.isReasonLabel(text) then
            return reject("malformed", "reason must be a label of a-z 0-9 - _ . (at most 48)")
        end
        reason = text
    end
    local dryRun = false
    local d = param(item, "dry-run")
    if d ~= nil then
        if d.t ~= "bool" then
            return reject("malformed", "dry-run must be a boolean")
        end
        dryRun = d.v
    end
    return {
        match = m,
        status = status,
        body = body,
        ttl = ttl,
        reason = reason,
        dryRun = dryRun
    }
end
local function parseRemove(item, ctx, settings)
    local unknown = checkKnown(item, MATCH_PARAMS)
    if unknown ~= nil then
        return reject("unknown-parameter", unknown)
    end
    local match = parseMatch(item, ctx, settings, {})
    if match.reason ~= nil and match.detail ~= nil then
        return match
    end
    local m = match
    local everything = param(item, "methods") == nil and m.host == nil and m.auth == nil and #m.query == 0
    return {match = m, everything = everything}
end
--- Parse every `Edge-Rule` line of a response.
function ____exports.parseEdgeRule(lines, ctx, settings)
    if #lines == 0 then
        return {kind = "none"}
    end
    local size = 0
    for ____, l in ipairs(lines) do
        size = size + #l
    end
    if size > settings.maxSignalBytes then
        return {
            kind = "reject",
            reason = "oversized",
            detail = (tostring(size) .. " bytes > ") .. tostring(settings.maxSignalBytes)
        }
    end
    local list = parseList(lines)
    if not list.ok then
        return {kind = "reject", reason = "malformed", detail = list.error}
    end
    if #list.items == 0 then
        return {kind = "reject", reason = "malformed", detail = "empty list"}
    end
    if #list.items > settings.maxRulesPerSignal then
        return {
            kind = "reject",
            reason = "out-of-range",
            detail = (tostring(#list.items) .. " members > ") .. tostring(settings.maxRulesPerSignal)
        }
    end
    local blocks = {}
    local removes = {}
    for ____, item in ipairs(list.items) do
        if item.inner then
            return {kind = "reject", reason = "malformed", detail = "inner lists are not rules"}
        end
        local action = item.value.t == "tok" and item.value.v or ""
        if action == "block" then
            local b = parseBlock(item, ctx, settings)
            if b.detail ~= nil then
                return {kind = "reject", reason = b.reason, detail = b.detail}
            end
            blocks[#blocks + 1] = b
        elseif action == "remove" then
            local r = parseRemove(item, ctx, settings)
            if r.detail ~= nil then
                return {kind = "reject", reason = r.reason, detail = r.detail}
            end
            removes[#removes + 1] = r
        else
            return {kind = "reject", reason = "malformed", detail = "a member must be the token block or remove"}
        end
    end
    return {kind = "apply", blocks = blocks, removes = removes}
end
--- An operator's rule, validated by the parser a backend's signal goes through (the same normalisation,
-- allowed statuses, TTL bounds and defaults) and by the same storage policy (admitBlock). No request
-- is being answered, so the defaults are the edge's: any method, rules.default_status, rules.default_ttl.
function ____exports.operatorBlock(o, settings)
    local params = {{
        key = "path",
        value = str(o.path)
    }}
    if o.prefix then
        params[#params + 1] = {key = "prefix", value = {t = "bool", v = true}}
    end
    if o.methods ~= nil then
        params[#params + 1] = {
            key = "methods",
            value = str(o.methods)
        }
    end
    if o.host ~= nil then
        params[#params + 1] = {
            key = "host",
            value = str(o.host)
        }
    end
    if o.auth ~= nil then
        params[#params + 1] = {
            key = "auth",
            value = str(o.auth)
        }
    end
    if o.query ~= nil then
        params[#params + 1] = {
            key = "query",
            value = str(o.query)
        }
    end
    if o.status ~= nil then
        params[#params + 1] = {key = "status", value = {t = "int", v = o.status}}
    end
    if o.ttl ~= nil then
        params[#params + 1] = {key = "ttl", value = {t = "int", v = o.ttl}}
    end
    if o.reason ~= nil then
        params[#params + 1] = {
            key = "reason",
            value = str(o.reason)
        }
    end
    if o.body ~= nil then
        params[#params + 1] = {
            key = "body",
            value = str(o.body)
        }
    end
    if o.dryRun then
        params[#params + 1] = {key = "dry-run", value = {t = "bool", v = true}}
    end
    local text = trySerializeList({{value = {t = "tok", v = "block"}, params = params, inner = false}})
    if not text.ok then
        return reject("malformed", text.error)
    end
    local v = ____exports.parseEdgeRule({text.text}, {path = nil, method = "", status = 0}, settings)
    if v.kind == "reject" then
        return reject(v.reason, v.detail)
    end
    if v.kind ~= "apply" or #v.blocks ~= 1 then
        return reject("malformed", "not one block rule")
    end
    local no = admitBlock(v.blocks[1], settings)
    return no ~= nil and reject(no.reason, no.detail) or ({rule = v.blocks[1]})
end
--- The member a BlockRule is written as. The SDK uses it; parseEdgeRule(formatBlock(r)) gives r back.
function ____exports.blockItem(r)
    local params = {{
        key = "path",
        value = str(r.match.path)
    }}
    if r.match.prefix then
        params[#params + 1] = {key = "prefix", value = {t = "bool", v = true}}
    end
    local methods = ""
    do
        local i = 0
        while i < #r.match.methods do
            methods = (methods .. (i > 0 and " " or "")) .. r.match.methods[i + 1]
            i = i + 1
        end
    end
    params[#params + 1] = {
        key = "methods",
        value = str(#r.match.methods == 0 and "*" or methods)
    }
    if r.match.host ~= nil then
        params[#params + 1] = {
            key = "host",
            value = str(r.match.host)
        }
    end
    if r.match.auth ~= nil then
        params[#params + 1] = {key = "auth", value = {t = "tok", v = r.match.auth}}
    end
    if #r.match.query > 0 then
        local q = ""
        do
            local i = 0
            while i < #r.match.query do
                q = ((q .. (i > 0 and " " or "")) .. (r.match.query[i + 1].present and "" or "!")) .. r.match.query[i + 1].name
                i = i + 1
            end
        end
        params[#params + 1] = {
            key = "query",
            value = str(q)
        }
    end
    params[#params + 1] = {key = "status", value = {t = "int", v = r.status}}
    if #r.body > 0 then
        params[#params + 1] = {
            key = "body",
            value = str(r.body)
        }
    end
    params[#params + 1] = {key = "ttl", value = {t = "int", v = r.ttl}}
    params[#params + 1] = {
        key = "reason",
        value = ____exports.isTokenStart(string.byte(r.reason, 1) or 0 / 0) and ({t = "tok", v = r.reason}) or str(r.reason)
    }
    if r.dryRun then
        params[#params + 1] = {key = "dry-run", value = {t = "bool", v = true}}
    end
    return {value = {t = "tok", v = "block"}, params = params, inner = false}
end
function ____exports.formatBlocks(rules)
    local items = {}
    for ____, r in ipairs(rules) do
        items[#items + 1] = ____exports.blockItem(r)
    end
    return serializeList(items)
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
local ____protocol = require("core.protocol")
local parseEdgeRule = ____protocol.parseEdgeRule
local ____verdict = require("core.verdict")
local isAllowedStatus = ____verdict.isAllowedStatus
local statusNotAllowed = ____verdict.statusNotAllowed
--- Label given to rules learned from the short form.
____exports.SHORT_FORM_REASON = "edge-resource"
--- `X-Edge-Resource` short form. `false` blocks the request's own path, any
-- method, with the default status; `false-<status>` with that status; `true`
-- is a valid no-op.
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
    if not isAllowedStatus(status, settings) then
        return {
            kind = "reject",
            reason = "status-not-allowed",
            detail = statusNotAllowed(status, settings)
        }
    end
    if requestPath == nil then
        return {kind = "reject", reason = "no-request-path", detail = "path var not set"}
    end
    local p = normalizePath(requestPath, settings, settings.maxKeyLength)
    if not p.ok then
        return {kind = "reject", reason = "path-invalid", detail = p.error}
    end
    local rule = {
        match = {path = p.path, prefix = false, methods = {}, query = {}},
        status = status,
        body = "",
        ttl = settings.defaultTtl,
        reason = ____exports.SHORT_FORM_REASON,
        dryRun = false
    }
    return {kind = "apply", blocks = {rule}, removes = {}}
end
--- Parse everything a response signals. Either header alone, or both (their rules are merged).
function ____exports.parseSignal(h, ctx, settings)
    local a = ____exports.parseShortForm(h.resource, ctx.path, settings)
    local b = parseEdgeRule(h.rule, ctx, settings)
    if a.kind == "reject" then
        return a
    end
    if b.kind == "reject" then
        return b
    end
    if b.kind == "none" then
        return a
    end
    if b.kind ~= "apply" then
        return b
    end
    if a.kind ~= "apply" then
        return b
    end
    local blocks = {}
    local removes = {}
    for ____, r in ipairs(a.blocks) do
        blocks[#blocks + 1] = r
    end
    for ____, r in ipairs(b.blocks) do
        blocks[#blocks + 1] = r
    end
    for ____, r in ipairs(b.removes) do
        removes[#removes + 1] = r
    end
    if #blocks + #removes > settings.maxRulesPerSignal then
        return {
            kind = "reject",
            reason = "out-of-range",
            detail = ("more than " .. tostring(settings.maxRulesPerSignal)) .. " rules"
        }
    end
    return {kind = "apply", blocks = blocks, removes = removes}
end
return ____exports
 end,
["core.snapshot-commands"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__Class = ____lualib.__TS__Class
local __TS__Number = ____lualib.__TS__Number
local __TS__StringSplit = ____lualib.__TS__StringSplit
local ____exports = {}
local countOf
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local ____runtime_2Dcmd = require("core.runtime-cmd")
local CLI_BATCH_BYTES = ____runtime_2Dcmd.CLI_BATCH_BYTES
local escapeCliArg = ____runtime_2Dcmd.escapeCliArg
function countOf(s, part)
    local n = 0
    do
        local at = (string.find(s, part, nil, true) or 0) - 1
        while at >= 0 do
            n = n + 1
            at = (string.find(
                s,
                part,
                math.max(at + #part + 1, 1),
                true
            ) or 0) - 1
        end
    end
    return n
end
--- A batch line: the mark, the soonest rule expiry in it (0 when none) and the commands joined by `;`.
function ____exports.batchLine(soonest, joined)
    return ((____exports.BATCH_MARK .. itoa(soonest)) .. " ") .. joined
end
____exports.SNAPSHOT_COMMANDS_FILE = "rules.snapshot.cli"
--- A line of ready commands starts with this; any other line is a snapshot record.
____exports.BATCH_MARK = "C "
--- First line: what the file is.
____exports.COMMANDS_HEADER = "# edgeblock snapshot commands v1: a restart sends these instead of replaying rules.snapshot"
local TRAILER = "# for snapshot of "
--- Last line, written once every other line is: the snapshot's size in bytes and its first line, which the loader checks against the snapshot on disk.
function ____exports.commandsTrailer(snapshotHeaderLine, snapshotBytes)
    return ((TRAILER .. itoa(snapshotBytes)) .. " bytes: ") .. snapshotHeaderLine
end
--- Whether a commands file's last line names this snapshot (its first line and its size).
function ____exports.trailerMatches(line, snapshotHeaderLine, snapshotBytes)
    return line == ____exports.commandsTrailer(snapshotHeaderLine, snapshotBytes)
end
--- The command for a rule entry, or undefined when it needs escaping or is not a rule table's (it then stays a record line).
function ____exports.entryCommand(____table, key, fields)
    if #fields == 0 or __TS__StringSubstring(____table, 0, #RULE_TABLE_PREFIX) ~= RULE_TABLE_PREFIX then
        return nil
    end
    if escapeCliArg(____table) ~= ____table or escapeCliArg(key) ~= key then
        return nil
    end
    local cmd = (("set table " .. ____table) .. " key ") .. key
    for ____, f in ipairs(fields) do
        cmd = (((cmd .. " data.") .. f.name) .. " ") .. itoa(f.value)
    end
    return cmd
end
local FIRST = "set table " .. RULE_TABLE_PREFIX
local NEXT = ";" .. FIRST
--- Whether a batch line (without its mark) holds nothing but `set table eb_rules_...` commands: it starts
-- with one, every `;` starts another (keys in it have no `;`, space, tab or backslash: entryCommand), and
-- it ends with a digit.
-- A file that anyone else wrote cannot make the loader run another command.
function ____exports.vouchedBatch(batch)
    if __TS__StringSubstring(batch, 0, #FIRST) ~= FIRST then
        return false
    end
    if (string.find(batch, "\n", nil, true) or 0) - 1 >= 0 or (string.find(batch, "\r", nil, true) or 0) - 1 >= 0 then
        return false
    end
    local last = __TS__StringCharCodeAt(batch, #batch - 1)
    if last < 48 or last > 57 then
        return false
    end
    return countOf(batch, ";") == countOf(batch, NEXT)
end
--- Commands in a vouched batch.
function ____exports.batchSize(batch)
    return countOf(batch, ";") + 1
end
--- Joins commands into batch lines of at most CLI_BATCH_BYTES; `emit` gets each line: the mark, the
-- soonest rule expiry in it (0 when none), and the commands. A loader sends a line whose soonest expiry
-- is still ahead as it is, and sifts the others (liveCommands).
____exports.BatchLines = __TS__Class()
local BatchLines = ____exports.BatchLines
BatchLines.name = "BatchLines"
function BatchLines.prototype.____constructor(self, emit)
    self.emit = emit
    self.parts = {}
    self.size = 0
    self.soonest = 0
end
function BatchLines.prototype.add(self, command, expiry)
    if self.size + #command + 1 > CLI_BATCH_BYTES and #self.parts > 0 then
        self:flush()
    end
    local ____self_parts_0 = self.parts
    ____self_parts_0[#____self_parts_0 + 1] = command
    self.size = self.size + #command + 1
    if expiry > 0 and (self.soonest == 0 or expiry < self.soonest) then
        self.soonest = expiry
    end
end
function BatchLines.prototype.flush(self)
    if #self.parts == 0 then
        return
    end
    self.emit(____exports.batchLine(
        self.soonest,
        table.concat(self.parts, ";")
    ))
    self.parts = {}
    self.size = 0
    self.soonest = 0
end
--- A batch line's soonest expiry and commands, or undefined when it is not one.
function ____exports.splitBatchLine(line)
    if __TS__StringSubstring(line, 0, #____exports.BATCH_MARK) ~= ____exports.BATCH_MARK then
        return nil
    end
    local space = (string.find(
        line,
        " ",
        math.max(#____exports.BATCH_MARK + 1, 1),
        true
    ) or 0) - 1
    if space < 0 then
        return nil
    end
    local digits = __TS__StringSubstring(line, #____exports.BATCH_MARK, space)
    if #digits == 0 or #digits > 10 then
        return nil
    end
    do
        local i = 0
        while i < #digits do
            local c = __TS__StringCharCodeAt(digits, i)
            if c < 48 or c > 57 then
                return nil
            end
            i = i + 1
        end
    end
    return {
        soonest = __TS__Number(digits),
        batch = __TS__StringSubstring(line, space + 1)
    }
end
local EXPIRY = (" data." .. RULE_FIELDS.expiry) .. " "
--- The commands of a vouched batch whose rule is still live at `now` (as isExpiredRecord judges), joined again, and how many were left out.
function ____exports.liveCommands(batch, now)
    local kept = {}
    local skipped = 0
    for ____, cmd in ipairs(__TS__StringSplit(batch, ";")) do
        local at = (string.find(cmd, EXPIRY, nil, true) or 0) - 1
        local live = 0
        if at >= 0 then
            local ____end = at + #EXPIRY
            while ____end < #cmd and __TS__StringCharCodeAt(cmd, ____end) >= 48 and __TS__StringCharCodeAt(cmd, ____end) <= 57 do
                ____end = ____end + 1
            end
            live = __TS__Number(__TS__StringSubstring(cmd, at + #EXPIRY, ____end))
        end
        if live > 0 and live <= now then
            skipped = skipped + 1
        else
            kept[#kept + 1] = cmd
        end
    end
    return {
        kept = table.concat(kept, ";"),
        skipped = skipped
    }
end
return ____exports
 end,
["lua.checked-file"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Class = ____lualib.__TS__Class
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
____exports.CheckedFile = __TS__Class()
local CheckedFile = ____exports.CheckedFile
CheckedFile.name = "CheckedFile"
function CheckedFile.prototype.____constructor(self, file)
    self.file = file
    self.bytes = 0
    local f, err = io.open(file, "w")
    if f == nil then
        self.error = "open: " .. tostring(err)
    else
        self.f = f
    end
end
function CheckedFile.prototype.write(self, text)
    if self.f == nil or self.error ~= nil then
        return
    end
    local ok, err = self.f:write(text)
    if ok == nil then
        self.error = "write: " .. tostring(err)
    else
        self.bytes = self.bytes + #text
    end
end
function CheckedFile.prototype.written(self)
    return self.bytes
end
function CheckedFile.prototype.finish(self)
    local f = self.f
    self.f = nil
    if f == nil then
        return self.error
    end
    if self.error == nil then
        local ok, err = f:flush()
        if ok == nil then
            self.error = "flush: " .. tostring(err)
        end
    end
    local closed, cerr = f:close()
    if self.error == nil and closed == nil then
        self.error = "close: " .. tostring(cerr)
    end
    if self.error ~= nil then
        return self.error
    end
    local r = io.open(self.file, "r")
    if r == nil then
        return "reopen failed"
    end
    local size = r:seek("end")
    r:close()
    if size ~= self.bytes then
        return ((("size " .. tostring(size)) .. " on disk, ") .. itoa(self.bytes)) .. " written"
    end
    return nil
end
return ____exports
 end,
["lua.counters"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local STORE_MAPS = ____contract.STORE_MAPS
local counts = {}
local distinct = 0
local names = ""
--- Key (after `<thread>:`) of the space-separated list of counter names a Lua state has published.
____exports.NAMES_KEY = "__names"
--- Reason labels come from backends: cap the series so metrics cannot grow without bound.
____exports.MAX_COUNTER_SERIES = 500
--- Add to a counter and publish its new cumulative value. Never throws.
function ____exports.inc(counter, by)
    if by == nil then
        by = 1
    end
    local name = counter
    if counts[name] == nil then
        if distinct >= ____exports.MAX_COUNTER_SERIES then
            local last = #name - 1
            while last > 0 and __TS__StringCharCodeAt(name, last) ~= 58 do
                last = last - 1
            end
            name = last > 0 and __TS__StringSubstring(name, 0, last) .. ":other" or name
        end
        if counts[name] == nil then
            distinct = distinct + 1
            names = (names .. (#names > 0 and " " or "")) .. name
            pcall(function() return core.set_map(
                STORE_MAPS.counters,
                (itoa(core.thread) .. ":") .. ____exports.NAMES_KEY,
                names
            ) end)
        end
    end
    local v = (counts[name] ~= nil and counts[name] or 0) + by
    counts[name] = v
    pcall(function() return core.set_map(
        STORE_MAPS.counters,
        (itoa(core.thread) .. ":") .. name,
        itoa(v)
    ) end)
end
--- Publish a gauge (one writer: the maintenance task).
function ____exports.setGauge(name, value)
    local key = "gauge:" .. name
    if counts[key] == nil then
        counts[key] = 0
        names = (names .. (#names > 0 and " " or "")) .. key
        pcall(function() return core.set_map(
            STORE_MAPS.counters,
            (itoa(core.thread) .. ":") .. ____exports.NAMES_KEY,
            names
        ) end)
    end
    pcall(function() return core.set_map(
        STORE_MAPS.counters,
        (itoa(core.thread) .. ":") .. key,
        itoa(value)
    ) end)
end
return ____exports
 end,
["lua.version"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
--- The HAProxy this Lua state runs in, from `core.get_info().Version` (`3.2.26-1`): 0 when unknown (Fengari's mock).
function ____exports.haproxyMajor()
    local v = tostring(core.get_info().Version or "")
    local dot = (string.find(v, ".", nil, true) or 0) - 1
    return dot > 0 and (tonumber(__TS__StringSubstring(v, 0, dot)) or 0) or 0
end
return ____exports
 end,
["lua.log"] = function(...) 
local ____exports = {}
local ____version = require("lua.version")
local haproxyMajor = ____version.haproxyMajor
--- Longest value a log field shows.
local FIELD_MAX = 200
--- Bytes a log value shows as `_`: outside printable ASCII, and `"` (a Lua pattern, run by the string library in C:
-- [T] a byte loop in Lua made logging a third of a learn's instructions).
local HIDDEN = "[^!#-~]"
local function clean(v)
    local out = string.gsub(
        #v > FIELD_MAX and string.sub(v, 1, FIELD_MAX) or v,
        HIDDEN,
        "_"
    )
    return out
end
--- Where events go: through core.log (the log target), or straight to the target's own stream.
local direct
--- [T] HAProxy 2.6 writes every core.log line to stderr as well as to the log target (hlua_sendlog;
-- -db clears `quiet`, -q closes stdio), so with `log stderr` each event appeared twice. When the target
-- is the process's own stdout or stderr, 2.6 gets the line written there once; 3.0+ has
-- tune.lua.log.stderr, whose default (auto) sends no copy when a log target is set.
function ____exports.configureLog(stream)
    local major = haproxyMajor()
    local copiesToStderr = major > 0 and major < 3
    direct = copiesToStderr and stream == "stderr" and io.stderr or (copiesToStderr and stream == "stdout" and io.stdout or nil)
end
function ____exports.logEvent(level, event, fields)
    local line = "edgeblock: " .. event
    for ____, ____value in ipairs(fields) do
        local k = ____value[1]
        local v = ____value[2]
        line = (((line .. " ") .. k) .. "=") .. (v == nil and "-" or clean(v))
    end
    if direct ~= nil then
        direct:write(line .. "\n")
        return
    end
    core.log(level, line)
end
return ____exports
 end,
["lua.ready"] = function(...) 
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local CONTROL_FIELD = ____contract.CONTROL_FIELD
local READY_KEY = ____contract.READY_KEY
local READY_TABLE = ____contract.READY_TABLE
local READY_VAR = ____contract.READY_VAR
local READY_WAIT_MS = ____contract.READY_WAIT_MS
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local pidText
--- This process's pid, as text, read on first use (core.get_info builds ~70 fields). Not at load time: [T] in
-- master-worker mode the master loads blocks.lua before it forks, and its own pid is what a load-time read gets.
function ____exports.ownPid()
    if pidText == nil then
        pidText = tostring(core.get_info().Pid or "0")
    end
    return pidText
end
--- Whether this process is stopping, for a caller that has no transaction (core.get_info builds ~70 fields: [T] 100k instructions).
function ____exports.isStopping()
    return tostring(core.get_info().Stopping) == "1"
end
--- The same question through a transaction's `stopping` fetch (a few hundred instructions, not core.get_info's 100k).
function ____exports.txnStopProbe(txn)
    return function()
        local v = txn.f:stopping()
        return v == true or v == 1
    end
end
local function isReady()
    local px = core.backends[READY_TABLE]
    local ____temp_0
    if px == nil or px.stktable == nil then
        ____temp_0 = nil
    else
        ____temp_0 = px.stktable:lookup(READY_KEY)
    end
    local e = ____temp_0
    return e ~= nil and (e[CONTROL_FIELD] or 0) > 0
end
--- Set when the loader of this Lua state failed: nothing will open the gate, so nothing waits for it.
local givenUp = false
--- The loader is gone: requests are no longer held in this Lua state (each is still counted as served before the rules were loaded).
function ____exports.gateGivenUp()
    givenUp = true
end
--- Hold the current request until the rules are loaded, at most READY_WAIT_MS (then fail open); once they are, say so to every later request (READY_VAR).
function ____exports.waitUntilReady(txn)
    if isReady() then
        txn:set_var(READY_VAR, 1)
        return
    end
    if givenUp then
        inc("ready_timeouts")
        txn:set_var(READY_VAR, 1)
        return
    end
    local start = core.now()
    while not isReady() and not ____exports.isStopping() do
        local now = core.now()
        if (now.sec - start.sec) * 1000 + math.floor((now.usec - start.usec) / 1000) > READY_WAIT_MS then
            inc("ready_timeouts")
            logEvent(
                core.warning,
                "request served before the rules were loaded",
                {{
                    "waited_ms",
                    itoa(READY_WAIT_MS)
                }}
            )
            return
        end
        core.msleep(10)
    end
    if isReady() then
        txn:set_var(READY_VAR, 1)
    end
end
return ____exports
 end,
["lua.runtime-api"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__Class = ____lualib.__TS__Class
local ____exports = {}
local aloneNow, sendLine, connectRetrying, exchange, converse, connectOnce, alone, aloneCheckedAt
local ____runtime_2Dcmd = require("core.runtime-cmd")
local olderWorkerListed = ____runtime_2Dcmd.olderWorkerListed
local CLI_BATCH_BYTES = ____runtime_2Dcmd.CLI_BATCH_BYTES
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____ready = require("lua.ready")
local ownPid = ____ready.ownPid
function aloneNow(master)
    if alone then
        return true
    end
    local now = core.now().sec
    if now == aloneCheckedAt then
        return false
    end
    aloneCheckedAt = now
    local res = exchange(master, "show proc;quit", 2)
    if res.ok and not olderWorkerListed(
        res.output,
        ownPid()
    ) then
        alone = true
        logEvent(core.info, "runtime API: no older worker listed, commands go to the stats socket", {{"socket", master}})
    end
    return alone
end
function sendLine(target, commands, timeoutSeconds)
    local address = target.address
    local conn = connectRetrying(address, timeoutSeconds)
    local sock = conn.sock
    if sock == nil then
        return {ok = false, output = (("connect " .. address) .. ": ") .. conn.error}
    end
    local line = #target.prefix > 0 and target.prefix .. table.concat(commands, ";" .. target.prefix or ",") or table.concat(commands, ";")
    if #target.prefix > 0 then
        line = line .. ";quit"
        inc("runtime_api_via_master")
    end
    return converse(sock, line)
end
function connectRetrying(address, timeoutSeconds)
    local conn = connectOnce(address, timeoutSeconds)
    local wait = 2
    do
        local waited = 0
        while conn.sock == nil and waited < ____exports.CONNECT_RETRY_MS do
            core.msleep(wait)
            conn = connectOnce(address, timeoutSeconds)
            do
                waited = waited + wait
                wait = math.min(wait * 2, 100)
            end
        end
    end
    return conn
end
function exchange(address, line, timeoutSeconds)
    local conn = connectRetrying(address, timeoutSeconds)
    if conn.sock == nil then
        return {ok = false, output = (("connect " .. address) .. ": ") .. conn.error}
    end
    return converse(conn.sock, line)
end
function converse(sock, line)
    local ok, res = pcall(function()
        local sent, serr = sock:send(line .. "\n")
        if sent == nil then
            return {
                ok = false,
                output = "send: " .. tostring(serr)
            }
        end
        local answer, rerr = sock:receive("*a")
        if answer == nil then
            return {
                ok = false,
                output = "receive: " .. tostring(rerr)
            }
        end
        return {ok = true, output = answer}
    end)
    pcall(function() return sock:close() end)
    return ok and res or ({
        ok = false,
        output = "socket: " .. tostring(res)
    })
end
function connectOnce(address, timeoutSeconds)
    local ok, res = pcall(function()
        local s = core.tcp()
        s:settimeout(timeoutSeconds)
        local connected, cerr = s:connect(address)
        if connected == nil then
            s:close()
            return {error = tostring(cerr)}
        end
        return {sock = s, error = ""}
    end)
    return ok and res or ({error = tostring(res)})
end
local viaMaster
local startedAt = core.now().sec
--- The old worker stops listening on the shared stats socket once it is told to stop, shortly after
-- the new one starts; until then a starting worker goes through the master (a relay that costs CPU
-- and latency on every command), afterwards straight to the socket, which is then its own.
____exports.MASTER_WINDOW_SECONDS = 30
function ____exports.cliTarget(statsSocket)
    if viaMaster == nil then
        local master = os.getenv("HAPROXY_MASTER_CLI")
        if master ~= nil and #master > 0 then
            local semi = (string.find(master, ";", nil, true) or 0) - 1
            local first = semi >= 0 and __TS__StringSubstring(master, 0, semi) or master
            viaMaster = {
                address = first,
                prefix = ("@!" .. ownPid()) .. " "
            }
        else
            viaMaster = {address = "", prefix = ""}
        end
    end
    if viaMaster.address ~= "" and core.now().sec - startedAt < ____exports.MASTER_WINDOW_SECONDS and not aloneNow(viaMaster.address) then
        return viaMaster
    end
    return {address = statsSocket, prefix = ""}
end
alone = false
aloneCheckedAt = -1
--- True when this process can address its own runtime API during a reload (haproxy -W -S).
function ____exports.hasMasterCli()
    local master = os.getenv("HAPROXY_MASTER_CLI")
    return master ~= nil and #master > 0
end
--- How long a command keeps retrying to connect to a socket whose accept queue is full.
____exports.CONNECT_RETRY_MS = 1500
--- One request line of commands already joined by `;` (a batch line of the snapshot's commands file): sent
-- as it is, or with each command addressed to this worker when it goes through the master CLI.
function ____exports.runCliJoined(statsSocket, joined, timeoutSeconds)
    local target = ____exports.cliTarget(statsSocket)
    local each = table.unpack(
        #target.prefix == 0 and ({joined}) or ({string.gsub(joined, ";", ";" .. target.prefix)}),
        1,
        1
    )
    return sendLine(target, {each}, timeoutSeconds)
end
function ____exports.runCli(statsSocket, commands, timeoutSeconds)
    return sendLine(
        ____exports.cliTarget(statsSocket),
        commands,
        timeoutSeconds
    )
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
--- Commands gathered into request lines of at most CLI_BATCH_BYTES; `send` gets each full batch, in order.
____exports.CommandBatch = __TS__Class()
local CommandBatch = ____exports.CommandBatch
CommandBatch.name = "CommandBatch"
function CommandBatch.prototype.____constructor(self, send)
    self.send = send
    self.cmds = {}
    self.size = 0
end
function CommandBatch.prototype.add(self, command)
    if self.size + #command > CLI_BATCH_BYTES then
        self:flush()
    end
    local ____self_cmds_0 = self.cmds
    ____self_cmds_0[#____self_cmds_0 + 1] = command
    self.size = self.size + #command + 1
end
function CommandBatch.prototype.flush(self)
    if #self.cmds == 0 then
        return
    end
    local cmds = self.cmds
    self.cmds = {}
    self.size = 0
    self.send(cmds)
end
return ____exports
 end,
["lua.sync-publish"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Delete = ____lualib.__TS__Delete
local __TS__ObjectAssign = ____lualib.__TS__ObjectAssign
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____cluster_2Dsync = require("core.cluster-sync")
local reassertions = ____cluster_2Dsync.reassertions
local syncCommands = ____cluster_2Dsync.syncCommands
local syncKeyLength = ____cluster_2Dsync.syncKeyLength
local syncStamp = ____cluster_2Dsync.syncStamp
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
--- Map key (file TAB key) -> stamp of the record this node applied or wrote itself.
____exports.applied = {}
--- Add the sync-table writes of `muts`' map records to `cmds` (sent in the same runtime-API call).
function ____exports.publishMapWrites(settings, muts, cmds)
    local now = core.now()
    local out = syncCommands(
        muts,
        settings.clusterNode,
        now.sec,
        now.usec,
        syncKeyLength(settings.maxKeyLength, settings.maxBodyBytes)
    )
    for ____, c in ipairs(out.cmds) do
        cmds[#cmds + 1] = c
    end
    local stamp = syncStamp(now.sec, now.usec)
    for ____, m in ipairs(muts) do
        if m.kind ~= "table" then
            ____exports.applied[(m.file .. "\t") .. m.key] = stamp
        end
    end
    if out.tooLong > 0 then
        inc("cluster_sync_too_long", out.tooLong)
        logEvent(
            core.warning,
            "map write too long for the cluster's sync table: other nodes do not get it",
            {{
                "records",
                itoa(out.tooLong)
            }}
        )
    end
end
--- Map writes this node makes for itself (a compaction's pruning): not published, and the next full read may apply the cluster's record again.
function ____exports.forgetApplied(muts)
    for ____, m in ipairs(muts) do
        if m.kind ~= "table" then
            __TS__Delete(____exports.applied, (m.file .. "\t") .. m.key)
        end
    end
end
____exports.reassertQueue = {}
--- Queue the removals among `muts` to be written again (a cluster node's; the sync task writes them).
function ____exports.queueReassertions(muts)
    local now = core.now()
    local ms = now.sec * 1000 + math.floor(now.usec / 1000)
    for ____, r in ipairs(reassertions(muts)) do
        local ____exports_reassertQueue_0 = ____exports.reassertQueue
        ____exports_reassertQueue_0[#____exports_reassertQueue_0 + 1] = __TS__ObjectAssign({}, r, {start = ms, next = 0})
    end
end
return ____exports
 end,
["lua.journal-file"] = function(...) 
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____journal = require("core.journal")
local formatRecord = ____journal.formatRecord
local JOURNAL_FILE = ____journal.JOURNAL_FILE
local TORN_MARK = ____journal.TORN_MARK
local ____counters = require("lua.counters")
local inc = ____counters.inc
local setGauge = ____counters.setGauge
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____ready = require("lua.ready")
local ownPid = ____ready.ownPid
--- This process, as written in journal lines: the worker's pid, read at first use. [T] A load-time read gave
-- the master's pid (it loads blocks.lua before forking), the same for the old and the new worker of a reload,
-- so the new one took the old one's handed-over lines for its own and skipped them while tailing.
function ____exports.writer()
    return ownPid()
end
function ____exports.statePath(settings, file)
    return (settings.stateDir .. "/") .. file
end
--- Journal text not yet written (this Lua state's), oldest first.
local backlog = {}
local backlogBytes = 0
--- A failed append may have left a partial last line: the next append marks it torn (core/journal.ts).
local mayBePartial = false
--- Whether this Lua state has looked at the journal's last byte yet.
local tailChecked = false
--- A writer that crashed mid-line left the journal without its final newline: the first append of this state marks that line torn, instead of being glued to it.
local function checkTail(file)
    if tailChecked then
        return
    end
    tailChecked = true
    local f = io.open(file, "r")
    if f == nil then
        return
    end
    local size = f:seek("end")
    if size ~= nil and size > 0 then
        f:seek("set", size - 1)
        if f:read(1) ~= "\n" then
            core.msleep(20)
            local again = f:seek("end")
            f:seek("set", (again or size) - 1)
            if again == size and f:read(1) ~= "\n" then
                mayBePartial = true
            end
        end
    end
    f:close()
end
--- Most journal text kept in memory while the state folder cannot be written (per Lua state).
-- Beyond it the oldest lines are dropped and counted: the rules stay live, only their copy on disk is lost.
____exports.BACKLOG_MAX_BYTES = 32 * 1024 * 1024
--- Write `text` at the end of `file`, checking every step (buffered writes fail at flush or close).
function ____exports.appendAll(file, text)
    local opened, err = io.open(file, "a")
    if opened == nil then
        return tostring(err)
    end
    local f = opened
    local w, werr = f:write(text)
    if w == nil then
        f:close()
        return "write: " .. tostring(werr)
    end
    local fl, ferr = f:flush()
    if fl == nil then
        f:close()
        return "flush: " .. tostring(ferr)
    end
    local c, cerr = f:close()
    if c == nil then
        return "close: " .. tostring(cerr)
    end
    return nil
end
--- Journal lines waiting in memory (for the metrics gauge and the tests).
function ____exports.backlogSize()
    return {lines = #backlog, bytes = backlogBytes}
end
local function publishBacklog()
    setGauge("journal_backlog_bytes", backlogBytes)
end
--- Try to write every waiting line. True when nothing is left waiting.
function ____exports.flushBacklog(settings)
    if #backlog == 0 then
        return true
    end
    local text = (mayBePartial and TORN_MARK .. "\n" or "") .. table.concat(backlog, "")
    local ____error = ____exports.appendAll(
        ____exports.statePath(settings, JOURNAL_FILE),
        text
    )
    if ____error ~= nil then
        mayBePartial = true
        return false
    end
    logEvent(
        core.notice,
        "journal written again",
        {
            {
                "lines",
                itoa(#backlog)
            },
            {
                "bytes",
                itoa(backlogBytes)
            }
        }
    )
    backlog = {}
    backlogBytes = 0
    mayBePartial = false
    publishBacklog()
    return true
end
local function keep(text)
    backlog[#backlog + 1] = text
    backlogBytes = backlogBytes + #text
    local dropped = 0
    while backlogBytes > ____exports.BACKLOG_MAX_BYTES and #backlog > 1 do
        local old = table.remove(backlog, 1)
        backlogBytes = backlogBytes - #old
        dropped = dropped + 1
    end
    if dropped > 0 then
        inc("journal_dropped", dropped)
        logEvent(
            core.err,
            "journal lines dropped",
            {
                {
                    "appends",
                    itoa(dropped)
                },
                {
                    "reason",
                    ("backlog over " .. itoa(____exports.BACKLOG_MAX_BYTES)) .. " bytes"
                }
            }
        )
    end
    publishBacklog()
end
--- Append mutations to the journal. A failure is logged and counted, the rule stays learned, and the lines wait.
function ____exports.journalAppend(settings, muts)
    if #settings.stateDir == 0 or #muts == 0 then
        return
    end
    local lines = {}
    for ____, m in ipairs(muts) do
        local line = formatRecord(
            m,
            ____exports.writer()
        )
        if line ~= nil then
            lines[#lines + 1] = line .. "\n"
        end
    end
    if #lines == 0 then
        return
    end
    local text = table.concat(lines, "")
    checkTail(____exports.statePath(settings, JOURNAL_FILE))
    if #backlog > 0 or mayBePartial then
        keep(text)
        if not ____exports.flushBacklog(settings) then
            inc("journal_errors")
            logEvent(
                core.err,
                "journal not written",
                {
                    {"detail", "earlier lines still waiting"},
                    {
                        "waiting_bytes",
                        itoa(backlogBytes)
                    }
                }
            )
        end
        return
    end
    local ____error = ____exports.appendAll(
        ____exports.statePath(settings, JOURNAL_FILE),
        text
    )
    if ____error ~= nil then
        mayBePartial = true
        keep(text)
        inc("journal_errors")
        logEvent(
            core.err,
            "journal not written",
            {
                {"detail", ____error},
                {
                    "waiting_bytes",
                    itoa(backlogBytes)
                }
            }
        )
    end
end
return ____exports
 end,
["lua.slices"] = function(...) 
local ____exports = {}
local longestSlice, sliceStart
--- Yield to traffic, measuring how long this slice held the thread.
function ____exports.pause()
    local t = ____exports.msNow()
    if sliceStart > 0 and t - sliceStart > longestSlice then
        longestSlice = t - sliceStart
    end
    core.msleep(1)
    sliceStart = ____exports.msNow()
end
--- Wall-clock milliseconds, for the phase timings a snapshot logs.
function ____exports.msNow()
    local t = core.now()
    return t.sec * 1000 + math.floor(t.usec / 1000)
end
longestSlice = 0
sliceStart = 0
--- Start measuring slices afresh (a snapshot logs its longest).
function ____exports.startSlices()
    longestSlice = 0
    sliceStart = ____exports.msNow()
end
--- The longest slice since startSlices(), in ms.
function ____exports.longestSliceMs()
    return longestSlice
end
--- A request waits for the task's current slice at each of its steps (accept, connect, response,
-- send), so a slice is kept to SLICE_MS: callers check every few items, this yields when it is time.
____exports.SLICE_MS = 4
--- While a starting process loads its stored rules, requests wait for them anyway (edgeblock_wait): longer
-- slices, fewer 1 ms sleeps ([T] a third of a 1M-rule load was spent asleep between 4 ms slices).
____exports.LOAD_SLICE_MS = 16
local budget = ____exports.SLICE_MS
function ____exports.slice()
    if ____exports.msNow() - sliceStart >= budget then
        ____exports.pause()
    end
end
--- Run `work` with slices of `ms` instead of SLICE_MS.
function ____exports.withSlices(ms, work)
    local before = budget
    budget = ms
    do
        local ____try, ____error = pcall(function()
            work()
        end)
        do
            budget = before
        end
        if not ____try then
            error(____error, 0)
        end
    end
end
return ____exports
 end,
["lua.state-files"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__Class = ____lualib.__TS__Class
local __TS__New = ____lualib.__TS__New
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local retried, skipCorrupt, applyLine, snapshotIdentity, lastLine
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local ____journal = require("core.journal")
local currentEntryOf = ____journal.currentEntryOf
local isExpiredRecord = ____journal.isExpiredRecord
local MAX_FIELD_NAME = ____journal.MAX_FIELD_NAME
local MAX_FIELD_VALUE = ____journal.MAX_FIELD_VALUE
local parseRecord = ____journal.parseRecord
local parseSnapshotHeader = ____journal.parseSnapshotHeader
local recordCommand = ____journal.recordCommand
local reconcile = ____journal.reconcile
local SNAPSHOT_FILE = ____journal.SNAPSHOT_FILE
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local CommandBatch = ____runtime_2Dapi.CommandBatch
local runCli = ____runtime_2Dapi.runCli
local runCliJoined = ____runtime_2Dapi.runCliJoined
local ____snapshot_2Dcommands = require("core.snapshot-commands")
local batchSize = ____snapshot_2Dcommands.batchSize
local liveCommands = ____snapshot_2Dcommands.liveCommands
local SNAPSHOT_COMMANDS_FILE = ____snapshot_2Dcommands.SNAPSHOT_COMMANDS_FILE
local splitBatchLine = ____snapshot_2Dcommands.splitBatchLine
local trailerMatches = ____snapshot_2Dcommands.trailerMatches
local vouchedBatch = ____snapshot_2Dcommands.vouchedBatch
local ____slices = require("lua.slices")
local slice = ____slices.slice
local ____journal_2Dfile = require("lua.journal-file")
local statePath = ____journal_2Dfile.statePath
function retried(send)
    local res = send()
    do
        local i = 0
        while i < 100 and not res.ok do
            core.msleep(100)
            res = send()
            i = i + 1
        end
    end
    return res
end
function skipCorrupt(file, n, ____error)
    inc("state_lines_corrupt")
    logEvent(
        core.warning,
        "state line skipped",
        {
            {"file", file},
            {
                "line",
                itoa(n)
            },
            {"detail", ____error}
        }
    )
end
function applyLine(file, n, body, out, skipWriter)
    if out.fastLine ~= nil and out:fastLine(body) then
        return true
    end
    local p = parseRecord(body)
    if not p.ok then
        skipCorrupt(file, n, p.error)
        return false
    end
    if skipWriter ~= nil and (p.writer == skipWriter or __TS__StringSubstring(p.writer, 0, 4) == "cli-") then
        return true
    end
    out:push(p.record)
    return true
end
function snapshotIdentity(settings)
    local f = io.open(
        statePath(settings, SNAPSHOT_FILE),
        "r"
    )
    if f == nil then
        return nil
    end
    local head = f:read("l")
    local ____end = f:seek("end")
    f:close()
    local ____temp_5
    if head == nil or type(____end) ~= "number" then
        ____temp_5 = nil
    else
        ____temp_5 = {head = head, size = ____end}
    end
    return ____temp_5
end
function lastLine(file)
    local f = io.open(file, "r")
    if f == nil then
        return nil
    end
    local ____end = f:seek("end")
    local size = type(____end) == "number" and ____end or 0
    f:seek(
        "set",
        math.max(0, size - 1024)
    )
    local tail = f:read("a")
    f:close()
    if tail == nil or #tail == 0 then
        return nil
    end
    local last = string.match(tail, "([^\n]*)\n?$")
    return last
end
--- The runtime API may not accept connections yet while a process starts: retry for up to 10 s.
function ____exports.runCliRetry(settings, cmds)
    return retried(function() return runCli(settings.runtimeApi, cmds, 10) end)
end
local function currentEntry(r)
    if r.kind ~= "table" then
        return nil
    end
    local px = core.backends[r.table]
    local ____temp_0
    if px == nil or px.stktable == nil then
        ____temp_0 = nil
    else
        ____temp_0 = px.stktable:lookup(r.key)
    end
    local e = ____temp_0
    if e == nil then
        return nil
    end
    return currentEntryOf(function(f) return e[f] end)
end
--- Whether a field list is `name=digits` pairs joined by single commas, and nothing else (one pass in C).
local function onlyPairs(fields)
    local rest = string.gsub("," .. fields, ",[a-z0-9_]+=%d+", "")
    return #rest == 0
end
--- Whether a Lua pattern matches somewhere in s.
local function has(s, pattern)
    local at = string.find(s, pattern)
    return at ~= nil
end
--- The parts of a table line of a state file, by the string library's patterns (in C), when it is plain:
-- names of at most 32 bytes, values without a leading zero and within range, `name=digits` pairs joined by
-- single commas and nothing else. Each pair goes to `fields` when given. Undefined for any line it does
-- not vouch for (map lines, anything unusual): parseRecord then decides.
local function plainTableLine(line, fields)
    local writer, ____table, key, text = string.match(line, "^T\t([^\t]*)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if writer == nil or ____table == nil or key == nil or text == nil then
        return nil
    end
    local ____pairs = 0
    for name, v in string.gmatch(text, "([a-z0-9_]+)=(%d+)") do
        if #name > MAX_FIELD_NAME or #v > 10 or #v > 1 and string.byte(v, 1) == 48 then
            return nil
        end
        local value = tonumber(v)
        if value > MAX_FIELD_VALUE then
            return nil
        end
        local ____opt_1 = fields
        if ____opt_1 ~= nil then
            fields[#fields + 1] = {name = name, value = value}
        end
        ____pairs = ____pairs + 1
    end
    if ____pairs == 0 or not onlyPairs(text) then
        return nil
    end
    return {writer = writer, table = ____table, key = key, text = text}
end
--- A rule-table line of a state file as its runtime-API command, without a table per field:
-- [T] parsing each line byte by byte in the Lua VM made loading cost ~60 µs of CPU per rule, ten times
-- the CLI's own work. Returns the command, `false` for a rule that has expired, or undefined for any line
-- it does not vouch for (plainTableLine, and keys that need escaping): those take parseRecord's path.
-- Same result as parseRecord + isExpiredRecord + recordCommand wherever it answers (tested on vectors).
function ____exports.fastTableCommand(line, now)
    local p = plainTableLine(line)
    if p == nil then
        return nil
    end
    if has(p.table, "[\\; \t]") or has(p.key, "[\\; \t]") then
        return nil
    end
    if __TS__StringSubstring(p.table, 0, #RULE_TABLE_PREFIX) == RULE_TABLE_PREFIX then
        local live = string.match("," .. p.text, ("," .. RULE_FIELDS.expiry) .. "=(%d+)")
        if live ~= nil and tonumber(live) > 0 and tonumber(live) <= now then
            return false
        end
    end
    local spaced = string.gsub(p.text, "=", " ")
    local data = string.gsub(spaced, ",", " data.")
    return (((("set table " .. p.table) .. " key ") .. p.key) .. " data.") .. data
end
--- A table line of a state file as its record, for the compactor (which parsed every snapshot line byte by
-- byte in the Lua VM: most of a compaction's CPU). Same record as parseRecord wherever it answers
-- (test/lua/state-fast-path.dual.test.ts).
function ____exports.fastRecord(line)
    local fields = {}
    local p = plainTableLine(line, fields)
    if p == nil then
        return nil
    end
    return {ok = true, writer = p.writer, record = {kind = "table", table = p.table, key = p.key, fields = fields}}
end
--- Applies records in order: table records in batched runtime API calls, map records directly.
____exports.Replayer = __TS__Class()
local Replayer = ____exports.Replayer
Replayer.name = "Replayer"
function Replayer.prototype.____constructor(self, settings, now, guard)
    self.now = now
    self.guard = guard
    self.applied = 0
    self.skipped = 0
    self.batch = __TS__New(
        CommandBatch,
        function(cmds)
            local res = ____exports.runCliRetry(settings, cmds)
            if not res.ok or not cliSucceeded(res.output) then
                logEvent(core.err, "state replay batch failed", {{"detail", res.output}})
            end
        end
    )
end
function Replayer.prototype.push(self, record)
    if isExpiredRecord(record, self.now) then
        self.skipped = self.skipped + 1
        return
    end
    local ____table_guard_3
    if self.guard then
        ____table_guard_3 = reconcile(
            record,
            currentEntry(record)
        )
    else
        ____table_guard_3 = record
    end
    local r = ____table_guard_3
    if r == nil then
        self.skipped = self.skipped + 1
        return
    end
    if r.kind == "table" then
        local c = recordCommand(r)
        if c == nil then
            return
        end
        self.batch:add(c)
    else
        self.batch:flush()
        local ok = pcall(function()
            local ____temp_4
            if r.kind == "map-set" then
                ____temp_4 = core.set_map(r.file, r.key, r.value)
            else
                ____temp_4 = core.del_map(r.file, r.key)
            end
            return ____temp_4
        end)
        if not ok then
            self.skipped = self.skipped + 1
            return
        end
    end
    self.applied = self.applied + 1
end
function Replayer.prototype.flush(self)
    self.batch:flush()
end
function Replayer.prototype.fastLine(self, line)
    if self.guard then
        return false
    end
    local c = ____exports.fastTableCommand(line, self.now)
    if c == nil then
        return false
    end
    if c == false then
        self.skipped = self.skipped + 1
    else
        self.batch:add(c)
        self.applied = self.applied + 1
    end
    return true
end
--- Each complete line of a file from `offset`, without its newline, with its number; the task gives
-- traffic its turn every 20 lines. A last line without its newline may still be being written: it is
-- left for later. Returns the offset after the last complete line (0 when there is no file).
local function eachLine(file, offset, visit)
    local f = io.open(file, "r")
    if f == nil then
        return 0
    end
    local ____end = f:seek("end")
    local size = type(____end) == "number" and ____end or 0
    if size < offset then
        offset = 0
    end
    f:seek("set", offset)
    local n = 0
    do
        while true do
            local line = f:read("L")
            if line == nil or __TS__StringCharCodeAt(line, #line - 1) ~= 10 then
                break
            end
            offset = offset + #line
            n = n + 1
            if n % 20 == 0 then
                slice()
            end
            visit(
                __TS__StringSubstring(line, 0, #line - 1),
                n
            )
        end
    end
    f:close()
    return offset
end
--- Stream a state file from `offset` into the replayer, skipping this process's own lines when
-- tailing. Returns the offset after the last complete line and the corrupt line count.
function ____exports.readFrom(file, offset, skipWriter, out)
    local corrupt = 0
    local ownPrefix = skipWriter ~= nil and skipWriter .. "\t" or nil
    local next = eachLine(
        file,
        offset,
        function(body, n)
            if #body == 0 or (string.byte(body, 1) or 0 / 0) == 35 then
                return
            end
            if ownPrefix ~= nil and __TS__StringSubstring(body, 2, 2 + #ownPrefix) == ownPrefix then
                return
            end
            if not applyLine(
                file,
                n,
                body,
                out,
                skipWriter
            ) then
                corrupt = corrupt + 1
            end
        end
    )
    out:flush()
    return {offset = next, corrupt = corrupt}
end
____exports.MAP_LINES = "MD"
____exports.TABLE_LINES = "T"
--- Every record of a state file whose kind (first byte) is in `kinds`, parsed, with its text; other
-- lines are skipped unparsed. The table pass also reports lines of no known kind as corrupt.
function ____exports.eachRecord(file, kinds, visit)
    eachLine(
        file,
        0,
        function(body, n)
            if #body == 0 then
                return
            end
            local first = __TS__StringSubstring(body, 0, 1)
            if (string.find(kinds, first, nil, true) or 0) - 1 < 0 and (kinds ~= ____exports.TABLE_LINES or first == "M" or first == "D" or first == "#") then
                return
            end
            local p = ____exports.fastRecord(body) or parseRecord(body)
            if p.ok then
                visit(p.record, body)
            else
                skipCorrupt(file, n, p.error)
            end
        end
    )
end
--- When the snapshot on disk was written (its header), or 0 when there is none.
function ____exports.snapshotWrittenAt(settings)
    local id = snapshotIdentity(settings)
    return id == nil and 0 or parseSnapshotHeader(id.head)
end
function ____exports.exists(file)
    local f = io.open(file, "r")
    if f == nil then
        return false
    end
    f:close()
    return true
end
--- Replay the snapshot from its commands file (core/snapshot-commands.ts) when that file was written with
-- the snapshot on disk: its batch lines go to the runtime API as they are, its other lines through the
-- replayer. Returns whether it stood for the snapshot; false when there is none, it belongs to another
-- snapshot, or a batch line holds anything but rule-table writes (then the snapshot is replayed as
-- usual, which gives the same state: replaying a record twice is harmless).
function ____exports.replayCommands(settings, rep)
    local snap = snapshotIdentity(settings)
    local file = statePath(settings, SNAPSHOT_COMMANDS_FILE)
    local last = lastLine(file)
    if last == nil then
        return {used = false, corrupt = 0}
    end
    if snap == nil or not trailerMatches(last, snap.head, snap.size) then
        logEvent(core.info, "snapshot commands file not used: written with another snapshot", {{"file", file}})
        return {used = false, corrupt = 0}
    end
    local refused = false
    local corrupt = 0
    eachLine(
        file,
        0,
        function(body, n)
            if refused or #body == 0 or (string.byte(body, 1) or 0 / 0) == 35 then
                return
            end
            local line = splitBatchLine(body)
            if line ~= nil then
                if not vouchedBatch(line.batch) then
                    refused = true
                    inc("state_lines_corrupt")
                    logEvent(
                        core.warning,
                        "snapshot commands file refused, the snapshot is replayed instead",
                        {
                            {"file", file},
                            {
                                "line",
                                itoa(n)
                            },
                            {"detail", "not only rule-table writes"}
                        }
                    )
                    return
                end
                local batch = line.batch
                if line.soonest > 0 and line.soonest <= rep.now then
                    local live = liveCommands(batch, rep.now)
                    batch = live.kept
                    rep.skipped = rep.skipped + live.skipped
                end
                if #batch == 0 then
                    return
                end
                local res = retried(function() return runCliJoined(settings.runtimeApi, batch, 10) end)
                if not res.ok or not cliSucceeded(res.output) then
                    logEvent(core.err, "state replay batch failed", {{"detail", res.output}})
                end
                rep.applied = rep.applied + batchSize(batch)
                return
            end
            if not applyLine(
                file,
                n,
                body,
                rep,
                nil
            ) then
                corrupt = corrupt + 1
            end
        end
    )
    rep:flush()
    return {used = not refused, corrupt = corrupt}
end
return ____exports
 end,
["lua.evict"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__Delete = ____lualib.__TS__Delete
local ____exports = {}
local ____eviction = require("core.eviction")
local HAND_LINES_PER_VICTIM = ____eviction.HAND_LINES_PER_VICTIM
local leastRecent = ____eviction.leastRecent
local takenByHand = ____eviction.takenByHand
local ____journal = require("core.journal")
local JOURNAL_FILE = ____journal.JOURNAL_FILE
local JOURNAL_OLD_FILE = ____journal.JOURNAL_OLD_FILE
local parseRecord = ____journal.parseRecord
local SNAPSHOT_FILE = ____journal.SNAPSHOT_FILE
local ____state_2Dfiles = require("lua.state-files")
local snapshotWrittenAt = ____state_2Dfiles.snapshotWrittenAt
local ____slices = require("lua.slices")
local msNow = ____slices.msNow
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local ____journal_2Dfile = require("lua.journal-file")
local statePath = ____journal_2Dfile.statePath
local FILES = {SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE}
local hands = {}
local function entryOf(t, key)
    local e = t:lookup(key)
    if e == nil then
        return nil
    end
    return {
        key = key,
        remainingMs = e.expire or 0,
        live = e[RULE_FIELDS.expiry] or 0,
        answer = e[RULE_FIELDS.answer] or 0,
        ruleExpiry = e[RULE_FIELDS.ruleExpiry] or 0,
        created = e[RULE_FIELDS.created] or 0,
        hits = e[RULE_FIELDS.hits] or 0
    }
end
--- The `n` rule keys of `table` to clear so that new entries fit (fewer when the hand finds fewer); `keep` are never taken.
function ____exports.chooseVictims(settings, ____table, t, n, keep)
    local hand = hands[____table] or ({file = 0, offset = 0, snapshotAt = -1, spared = {}})
    hands[____table] = hand
    local at = snapshotWrittenAt(settings)
    if at ~= hand.snapshotAt then
        hand.snapshotAt = at
        hand.file = 0
        hand.offset = 0
    end
    local expireMs = t:info().expire
    local now = msNow()
    local victims = {}
    local taken = {}
    local seen = {}
    local budget = HAND_LINES_PER_VICTIM * n
    local filesLeft = #FILES + 1
    while #victims < n and budget > 0 and filesLeft > 0 do
        local f = io.open(
            statePath(settings, FILES[hand.file + 1]),
            "r"
        )
        local ended = true
        if f ~= nil then
            local ____end = f:seek("end")
            if type(____end) == "number" and hand.offset < ____end then
                f:seek("set", hand.offset)
                ended = false
                while #victims < n and budget > 0 do
                    do
                        local line = f:read("L")
                        if line == nil or __TS__StringCharCodeAt(line, #line - 1) ~= 10 then
                            ended = true
                            break
                        end
                        hand.offset = hand.offset + #line
                        budget = budget - 1
                        local p = parseRecord(__TS__StringSubstring(line, 0, #line - 1))
                        if not p.ok or p.record.kind ~= "table" or p.record.table ~= ____table then
                            goto __continue9
                        end
                        local key = p.record.key
                        if keep[key] == true or taken[key] == true then
                            goto __continue9
                        end
                        local learnedSec = 0
                        for ____, fl in ipairs(p.record.fields) do
                            if fl.name == RULE_FIELDS.created then
                                learnedSec = fl.value
                            end
                        end
                        local e = entryOf(t, key)
                        if e == nil then
                            __TS__Delete(hand.spared, key)
                            goto __continue9
                        end
                        seen[#seen + 1] = e
                        local spared = hand.spared[key]
                        local ____takenByHand_2 = takenByHand
                        local ____learnedSec_1 = learnedSec
                        local ____temp_0
                        if spared == nil then
                            ____temp_0 = nil
                        else
                            ____temp_0 = now - spared
                        end
                        if ____takenByHand_2(e, ____learnedSec_1, ____temp_0, expireMs - e.remainingMs) then
                            victims[#victims + 1] = key
                            taken[key] = true
                            __TS__Delete(hand.spared, key)
                        else
                            hand.spared[key] = now
                        end
                    end
                    ::__continue9::
                end
            end
            f:close()
        end
        if ended then
            hand.file = (hand.file + 1) % #FILES
            hand.offset = 0
            filesLeft = filesLeft - 1
        end
    end
    while #victims < n do
        local e = leastRecent(seen)
        if e == nil then
            break
        end
        victims[#victims + 1] = e.key
        taken[e.key] = true
        __TS__Delete(hand.spared, e.key)
        local rest = {}
        for ____, s in ipairs(seen) do
            if taken[s.key] ~= true then
                rest[#rest + 1] = s
            end
        end
        seen = rest
    end
    return victims
end
return ____exports
 end,
["lua.store"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local roomFor
local ____contract = require("core.contract")
local GENERATIONS_MAP = ____contract.GENERATIONS_MAP
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local STORE_MAPS = ____contract.STORE_MAPS
local ____journal = require("core.journal")
local recordCommand = ____journal.recordCommand
local ____rulekey = require("core.rulekey")
local baseKey = ____rulekey.baseKey
local isQualified = ____rulekey.isQualified
local ruleKeys = ____rulekey.ruleKeys
local specOf = ____rulekey.specOf
local ____bytes = require("core.bytes")
local splitOn = ____bytes.splitOn
local ____store_2Drecords = require("core.store-records")
local blockRecords = ____store_2Drecords.blockRecords
local dropSpec = ____store_2Drecords.dropSpec
local prefixMapFile = ____store_2Drecords.prefixMapFile
local prefixMapKey = ____store_2Drecords.prefixMapKey
local qualMapFile = ____store_2Drecords.qualMapFile
local removalKeepsLiveness = ____store_2Drecords.removalKeepsLiveness
local removalRecord = ____store_2Drecords.removalRecord
local ____journal_2Dfile = require("lua.journal-file")
local journalAppend = ____journal_2Dfile.journalAppend
local ____runtime_2Dcmd = require("core.runtime-cmd")
local clearKeyCommand = ____runtime_2Dcmd.clearKeyCommand
local NO_ENTRY_ANSWER = ____runtime_2Dcmd.NO_ENTRY_ANSWER
local retryEviction = ____runtime_2Dcmd.retryEviction
local ____eviction = require("core.eviction")
local tableNeverPurges = ____eviction.tableNeverPurges
local ____evict = require("lua.evict")
local chooseVictims = ____evict.chooseVictims
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____ready = require("lua.ready")
local isStopping = ____ready.isStopping
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local runCli = ____runtime_2Dapi.runCli
local ____sync_2Dpublish = require("lua.sync-publish")
local forgetApplied = ____sync_2Dpublish.forgetApplied
local publishMapWrites = ____sync_2Dpublish.publishMapWrites
local queueReassertions = ____sync_2Dpublish.queueReassertions
function roomFor(settings, ____table, t, muts, slack)
    local keep = {}
    local fresh = 0
    for ____, m in ipairs(muts) do
        do
            if m.kind ~= "table" or keep[m.key] == true then
                goto __continue59
            end
            keep[m.key] = true
            if t:lookup(m.key) == nil then
                fresh = fresh + 1
            end
        end
        ::__continue59::
    end
    local i = t:info()
    local needed = i.used + fresh - i.size + (i.used + fresh > i.size and slack or 0)
    return needed > 0 and chooseVictims(
        settings,
        ____table,
        t,
        needed,
        keep
    ) or ({})
end
local MapClass = _G.Map
--- Times a learn's runtime-API commands are sent again after a lost connection (about 1 s in all, with the connect retries).
____exports.CLI_RETRIES = 5
--- What applyMutations returns when the table had no room for a new entry.
____exports.STORE_FULL = "store full: " .. NO_ENTRY_ANSWER
--- Methods a `remove` without methods lifts, besides the any-method rule.
local COMMON_METHODS = {
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "OPTIONS"
}
function ____exports.openGlobalMaps()
    return {
        reasons = MapClass.new(STORE_MAPS.reasons, MapClass._str),
        bodies = MapClass.new(STORE_MAPS.bodies, MapClass._str),
        counters = MapClass.new(STORE_MAPS.counters, MapClass._str)
    }
end
local perBackendMaps = {}
--- Per-backend map object for lookups; opened lazily only for maps the config loaded.
local function mapFor(file)
    return perBackendMaps[file]
end
--- The map object of any map edgeblock writes, or undefined for a file this config does not load.
function ____exports.storeMap(maps, file)
    return file == STORE_MAPS.bodies and maps.bodies or (file == STORE_MAPS.reasons and maps.reasons or mapFor(file))
end
--- Open every per-backend map, for each backend that has a rule table. Init context: backends exist, Map.new is allowed.
function ____exports.openBackendMaps()
    local gok, gm = pcall(function() return MapClass.new(GENERATIONS_MAP, MapClass._str) end)
    if gok then
        perBackendMaps[GENERATIONS_MAP] = gm
    end
    for name in pairs(core.backends) do
        local n = name
        if __TS__StringSubstring(n, 0, #RULE_TABLE_PREFIX) == RULE_TABLE_PREFIX then
            local be = __TS__StringSubstring(n, #RULE_TABLE_PREFIX)
            for ____, f in ipairs({
                prefixMapFile(be),
                qualMapFile(be)
            }) do
                local ok, m = pcall(function() return MapClass.new(f, MapClass._str) end)
                if ok then
                    perBackendMaps[f] = m
                end
            end
        end
    end
end
local function tableOf(backend)
    local px = core.backends[RULE_TABLE_PREFIX .. backend]
    local ____temp_0
    if px == nil then
        ____temp_0 = nil
    else
        ____temp_0 = px.stktable
    end
    return ____temp_0
end
--- Current liveness (gpt0) of a key, 0 when absent.
local function liveness(t, key)
    if t == nil then
        return 0
    end
    local e = t:lookup(key)
    if e == nil then
        return 0
    end
    local v = e[RULE_FIELDS.expiry]
    return v == nil and 0 or v
end
--- Whether the rule on a key is in force: its own expiry (not the base's liveness) ahead, so a removed rule is not.
function ____exports.ruleInForce(backend, key)
    local t = tableOf(backend)
    local ____temp_1
    if t == nil then
        ____temp_1 = nil
    else
        ____temp_1 = t:lookup(key)
    end
    local e = ____temp_1
    return e ~= nil and (e[RULE_FIELDS.ruleExpiry] or 0) > core.now().sec
end
--- Whether a base key is live (its liveness deadline ahead) in a backend's rule table now.
function ____exports.ruleLive(backend, base)
    return liveness(
        tableOf(backend),
        base
    ) > core.now().sec
end
--- Table fill, for the on-full policy.
function ____exports.tableFill(backend)
    local t = tableOf(backend)
    if t == nil then
        return nil
    end
    local i = t:info()
    return {used = i.used, size = i.size}
end
--- Apply mutations: map writes locally (shared by all threads), table writes in
-- one runtime API call, then append everything to the journal. Returns an error text.
function ____exports.applyMutations(settings, muts, before, stopping, localOnly)
    if before == nil then
        before = {}
    end
    if stopping == nil then
        stopping = isStopping
    end
    if localOnly == nil then
        localOnly = false
    end
    if #settings.stateDir > 0 and stopping() then
        journalAppend(settings, muts)
        inc("learns_handed_over")
        return nil
    end
    local cmds = {table.unpack(before)}
    local maps = false
    for ____, m in ipairs(muts) do
        if m.kind == "map-set" then
            core.set_map(m.file, m.key, m.value)
        elseif m.kind == "map-del" then
            core.del_map(m.file, m.key)
        else
            local c = recordCommand(m)
            if c ~= nil then
                cmds[#cmds + 1] = c
            end
        end
        if m.kind ~= "table" then
            maps = true
        end
    end
    if maps and #settings.clusterNode > 0 then
        if localOnly then
            forgetApplied(muts)
        else
            publishMapWrites(settings, muts, cmds)
        end
    end
    if #cmds > 0 then
        local res = runCli(settings.runtimeApi, cmds, 2)
        do
            local attempt = 1
            while not res.ok and attempt <= ____exports.CLI_RETRIES do
                core.msleep(20 * attempt)
                if #settings.stateDir > 0 and stopping() then
                    journalAppend(settings, muts)
                    inc("learns_handed_over")
                    return nil
                end
                inc("runtime_api_retries")
                res = runCli(settings.runtimeApi, cmds, 2)
                attempt = attempt + 1
            end
        end
        local neverPurges = tableNeverPurges(settings.onFull, #settings.stateDir > 0)
        do
            local i = 0
            while res.ok and retryEviction(res.output, i, neverPurges) do
                res = runCli(settings.runtimeApi, cmds, 2)
                i = i + 1
            end
        end
        if not res.ok then
            return res.output
        end
        if (string.find(res.output, NO_ENTRY_ANSWER, nil, true) or 0) - 1 >= 0 then
            return ____exports.STORE_FULL
        end
        if not cliSucceeded(res.output) then
            return "runtime API answered: " .. res.output
        end
    end
    journalAppend(settings, muts)
    return nil
end
function ____exports.storeBlocks(settings, maps, backend, rules, now, originServerId, hints)
    if hints == nil then
        hints = {}
    end
    local stopping = hints.stopping or isStopping
    local t = tableOf(backend)
    if t == nil then
        return (("no rule table " .. RULE_TABLE_PREFIX) .. backend) .. " in the configuration"
    end
    local lookups = {
        liveness = function(____, key) return liveness(t, key) end,
        specs = function(____, base)
            local ____opt_2 = mapFor(qualMapFile(backend))
            return ____opt_2 and ____opt_2:lookup(base)
        end,
        hasMapKey = function(____, file, key)
            local m = ____exports.storeMap(maps, file)
            return m ~= nil and m:lookup(key) ~= nil
        end
    }
    local muts = blockRecords(
        backend,
        rules,
        now.sec,
        originServerId,
        lookups,
        now.usec,
        hints.createdAt
    )
    local ____table = RULE_TABLE_PREFIX .. backend
    local evicts = settings.onFull == "evict" and tableNeverPurges(settings.onFull, #settings.stateDir > 0)
    local victims = {}
    local ____error
    do
        local attempt = 0
        while attempt < 4 do
            local roomy = attempt == 0 and hints.fill ~= nil and hints.fill.used + #muts <= hints.fill.size
            local more = evicts and not roomy and roomFor(
                settings,
                ____table,
                t,
                muts,
                attempt
            ) or ({})
            local clears = {}
            for ____, v in ipairs(more) do
                clears[#clears + 1] = clearKeyCommand(____table, v)
                victims[#victims + 1] = v
            end
            ____error = ____exports.applyMutations(settings, muts, clears, stopping)
            if ____error ~= ____exports.STORE_FULL or not evicts then
                break
            end
            attempt = attempt + 1
        end
    end
    if #victims > 0 then
        local gone = {}
        for ____, v in ipairs(victims) do
            if t:lookup(v) == nil then
                gone[#gone + 1] = removalRecord(____table, v, false, now.sec)
            end
        end
        if #gone > 0 then
            journalAppend(settings, gone)
            inc("rules_evicted", #gone)
        end
    end
    return ____error
end
--- Lift rules: zero their expiry (the sweeper frees them); works even while an entry is tracked.
function ____exports.storeRemoves(settings, backend, removes, now, hints)
    if hints == nil then
        hints = {}
    end
    local ____table = RULE_TABLE_PREFIX .. backend
    local t = tableOf(backend)
    if t == nil then
        return {error = ("no rule table " .. ____table) .. " in the configuration", removed = 0}
    end
    local muts = {}
    local removed = 0
    local function zero(key, keepIndex)
        local e = t:lookup(key)
        if e == nil then
            return
        end
        if (e[RULE_FIELDS.ruleExpiry] or 0) > 0 then
            removed = removed + 1
        end
        muts[#muts + 1] = removalRecord(
            ____table,
            key,
            removalKeepsLiveness(keepIndex, #settings.clusterNode > 0),
            now
        )
    end
    for ____, r in ipairs(removes) do
        do
            local base = baseKey(r.match.path, r.match.prefix)
            local qf = qualMapFile(backend)
            local qm = mapFor(qf)
            local ____temp_4
            if qm == nil then
                ____temp_4 = nil
            else
                ____temp_4 = qm:lookup(base)
            end
            local specs = ____temp_4
            if r.everything then
                zero(base, true)
                for ____, m in ipairs(COMMON_METHODS) do
                    zero((base .. " ") .. m, false)
                end
                if specs ~= nil then
                    for ____, sp in ipairs(splitOn(specs, 32)) do
                        if #sp > 0 then
                            zero((base .. " ") .. sp, false)
                        end
                    end
                    muts[#muts + 1] = {kind = "map-del", file = qf, key = base}
                end
                if r.match.prefix and t:lookup(base) ~= nil then
                    muts[#muts + 1] = {
                        kind = "map-del",
                        file = prefixMapFile(backend),
                        key = prefixMapKey(r.match.path)
                    }
                end
                goto __continue68
            end
            for ____, key in ipairs(ruleKeys(r.match)) do
                zero(key, key == base)
            end
            if isQualified(r.match) and specs ~= nil then
                local list = specs
                local methods = #r.match.methods == 0 and ({"*"}) or r.match.methods
                for ____, m in ipairs(methods) do
                    list = dropSpec(
                        list,
                        specOf(m, r.match)
                    )
                end
                if #list == 0 then
                    muts[#muts + 1] = {kind = "map-del", file = qf, key = base}
                elseif list ~= specs then
                    muts[#muts + 1] = {kind = "map-set", file = qf, key = base, value = list}
                end
            end
        end
        ::__continue68::
    end
    if #muts == 0 then
        return {removed = 0}
    end
    local ____error = ____exports.applyMutations(settings, muts, {}, hints.stopping)
    if ____error == nil and #settings.clusterNode > 0 then
        queueReassertions(muts)
    end
    return ____error == nil and ({removed = removed}) or ({error = ____error, removed = 0})
end
return ____exports
 end,
["lua.cluster-sync"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Class = ____lualib.__TS__Class
local __TS__Delete = ____lualib.__TS__Delete
local __TS__ArraySplice = ____lualib.__TS__ArraySplice
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local PEERS_SECTION = ____contract.PEERS_SECTION
local SYNC_FIELDS = ____contract.SYNC_FIELDS
local SYNC_TABLE = ____contract.SYNC_TABLE
local ____cluster_2Dsync = require("core.cluster-sync")
local isQualMap = ____cluster_2Dsync.isQualMap
local mapEntryBase = ____cluster_2Dsync.mapEntryBase
local mergeSpecLists = ____cluster_2Dsync.mergeSpecLists
local needsReassert = ____cluster_2Dsync.needsReassert
local peersLinked = ____cluster_2Dsync.peersLinked
local peersResynced = ____cluster_2Dsync.peersResynced
local REASSERT_AFTER_MS = ____cluster_2Dsync.REASSERT_AFTER_MS
local syncBase = ____cluster_2Dsync.syncBase
local SYNC_LATEST_KEY = ____cluster_2Dsync.SYNC_LATEST_KEY
local syncStamp = ____cluster_2Dsync.syncStamp
local syncWinners = ____cluster_2Dsync.syncWinners
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local runCli = ____runtime_2Dapi.runCli
local ____version = require("lua.version")
local haproxyMajor = ____version.haproxyMajor
local ____sync_2Dpublish = require("lua.sync-publish")
local applied = ____sync_2Dpublish.applied
local reassertQueue = ____sync_2Dpublish.reassertQueue
local ____journal = require("core.journal")
local currentEntryOf = ____journal.currentEntryOf
local parseRecord = ____journal.parseRecord
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____journal_2Dfile = require("lua.journal-file")
local journalAppend = ____journal_2Dfile.journalAppend
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____store = require("lua.store")
local ruleInForce = ____store.ruleInForce
local ruleLive = ____store.ruleLive
local storeMap = ____store.storeMap
--- How often a node looks at the sync table's newest stamp (one lookup), in ms: a rule arrives by peers
-- within a ms or two, and its body and reason name, through this table, at most this much later.
____exports.SYNC_POLL_MS = 10
--- The next look, when a map write waits for its rule (peers carry the tables one after the other).
____exports.SYNC_WAIT_POLL_MS = 5
--- Seconds between full reads of the sync table: they catch records a peer resync brought with older stamps.
local FULL_READ_EARLY_S = 2
local FULL_READ_S = 60
--- For the first this many seconds after start, full reads are frequent (peers are still teaching this node).
local EARLY_S = 60
local function entriesOf(dump)
    local out = {}
    for key, data in pairs(dump) do
        out[#out + 1] = {key = key, sec = data[SYNC_FIELDS.sec] or 0, usec = data[SYNC_FIELDS.usec] or 0}
    end
    return out
end
--- Whether the rule a prefix or qualified entry serves is live in this node's table (core/cluster-sync.ts syncBase).
local function ruleArrived(r)
    local b = syncBase(r)
    return b == nil or ruleLive(b.backend, b.base)
end
--- Merge a qualified-spec record into this node's list (core/cluster-sync.ts mergeSpecLists). Returns the record written, if any.
local function mergeQual(maps, r)
    if r.kind == "table" then
        return nil
    end
    local b = mapEntryBase(r.file, r.key)
    local m = storeMap(maps, r.file)
    if b == nil or m == nil then
        inc("cluster_sync_unknown_map")
        return nil
    end
    local ____local = m:lookup(r.key)
    local merged = mergeSpecLists(
        r.kind == "map-set" and r.value or nil,
        ____local,
        function(sp) return ruleInForce(b.backend, (b.base .. " ") .. sp) end
    )
    if merged == (____local or "") then
        return nil
    end
    local out = #merged == 0 and ({kind = "map-del", file = r.file, key = r.key}) or ({kind = "map-set", file = r.file, key = r.key, value = merged})
    local ok = pcall(function()
        local ____temp_0
        if out.kind == "map-set" then
            ____temp_0 = core.set_map(out.file, out.key, out.value)
        else
            ____temp_0 = core.del_map(out.file, out.key)
        end
        return ____temp_0
    end)
    if not ok then
        inc("cluster_sync_failed")
        return nil
    end
    return out
end
--- Apply the winning records of `entries` to this node's maps (and its journal). Returns how many wait for their rule.
local function applyEntries(settings, maps, all)
    local entries = {}
    local merged = {}
    for ____, e in ipairs(all) do
        local ____temp_1
        if e.key == SYNC_LATEST_KEY then
            ____temp_1 = nil
        else
            ____temp_1 = parseRecord(e.key)
        end
        local p = ____temp_1
        if p ~= nil and p.ok and p.record.kind ~= "table" and isQualMap(p.record.file) then
            local out = mergeQual(maps, p.record)
            if out ~= nil then
                merged[#merged + 1] = out
            end
        else
            entries[#entries + 1] = e
        end
    end
    if #merged > 0 then
        journalAppend(settings, merged)
        inc("cluster_sync_applied", #merged)
    end
    local ____syncWinners_result_2 = syncWinners(entries, applied)
    local winners = ____syncWinners_result_2.winners
    local bad = ____syncWinners_result_2.bad
    local waiting = 0
    if #bad > 0 then
        inc("cluster_sync_bad", #bad)
        logEvent(
            core.warning,
            "unreadable record in the cluster's sync table",
            {{
                "records",
                itoa(#bad)
            }}
        )
    end
    local changed = {}
    for ____, w in ipairs(winners) do
        do
            local r = w.record
            if r.kind == "table" then
                goto __continue20
            end
            if not ruleArrived(r) then
                waiting = waiting + 1
                goto __continue20
            end
            applied[w.group] = w.stamp
            local m = storeMap(maps, r.file)
            if m == nil then
                inc("cluster_sync_unknown_map")
                goto __continue20
            end
            local have = m:lookup(r.key)
            local ____temp_3
            if r.kind == "map-set" then
                ____temp_3 = have == r.value
            else
                ____temp_3 = have == nil
            end
            if ____temp_3 then
                goto __continue20
            end
            local ok = pcall(function()
                local ____temp_4
                if r.kind == "map-set" then
                    ____temp_4 = core.set_map(r.file, r.key, r.value)
                else
                    ____temp_4 = core.del_map(r.file, r.key)
                end
                return ____temp_4
            end)
            if not ok then
                inc("cluster_sync_failed")
                goto __continue20
            end
            changed[#changed + 1] = r
        end
        ::__continue20::
    end
    if #changed > 0 then
        journalAppend(settings, changed)
        inc("cluster_sync_applied", #changed)
    end
    return waiting
end
--- The sync task's state: poll the newest stamp, read what is newer (or everything, now and then), apply it.
____exports.SyncPoller = __TS__Class()
local SyncPoller = ____exports.SyncPoller
SyncPoller.name = "SyncPoller"
function SyncPoller.prototype.____constructor(self, settings, maps, t)
    self.settings = settings
    self.maps = maps
    self.t = t
    self.started = core.now().sec
    self.seen = -1
    self.lastFull = 0
    self.since = 0
    self.known = {}
end
function SyncPoller.prototype.step(self, forceFull)
    if forceFull == nil then
        forceFull = false
    end
    local now = core.now().sec
    local latest = self.t:lookup(SYNC_LATEST_KEY)
    local stamp = latest == nil and 0 or syncStamp(latest[SYNC_FIELDS.sec] or 0, latest[SYNC_FIELDS.usec] or 0)
    local full = forceFull or now - self.lastFull >= (now - self.started < EARLY_S and FULL_READ_EARLY_S or FULL_READ_S)
    if not full and stamp == self.seen then
        return false
    end
    local entries = entriesOf(full and self.t:dump() or self.t:dump({{SYNC_FIELDS.sec, "ge", self.since}}))
    local skipKnown = not full or now - self.started < EARLY_S
    local fresh = {}
    local known = full and ({}) or self.known
    for ____, e in ipairs(entries) do
        local st = syncStamp(e.sec, e.usec)
        if not skipKnown or self.known[e.key] ~= st then
            fresh[#fresh + 1] = e
        end
        known[e.key] = st
    end
    if full then
        self.known = known
    end
    local waiting = applyEntries(self.settings, self.maps, fresh)
    if waiting > 0 then
        for ____, e in ipairs(fresh) do
            __TS__Delete(self.known, e.key)
        end
    end
    self.seen = waiting > 0 and -1 or stamp
    if full then
        self.lastFull = now
    end
    local newest = latest == nil and now or (latest[SYNC_FIELDS.sec] or now)
    self.since = (newest < now and newest or now) - 2
    return waiting > 0
end
--- The sync table, or undefined (logged) when the configuration has none.
function ____exports.syncTable()
    local px = core.backends[SYNC_TABLE]
    if px == nil or px.stktable == nil then
        logEvent(core.err, "cluster sync table missing from the configuration: map writes are not shared", {{"table", SYNC_TABLE}})
        return nil
    end
    return px.stktable
end
--- How long a starting node waits for its peers to teach it the tables before it serves requests (within READY_WAIT_MS).
local CATCH_UP_MS = 4000
--- Time a starting node gives its peer links to come up before it concludes it is alone.
local ALONE_MS = 1000
--- Before a starting node serves requests: wait until peers taught it the tables (bounded), then apply
-- the map writes they brought. A node that starts alone, or whose peers are down, goes on after CATCH_UP_MS.
function ____exports.catchUpFromPeers(settings, poller)
    local start = core.now()
    do
        while true do
            local res = runCli(settings.runtimeApi, {"show peers " .. PEERS_SECTION}, 1)
            if res.ok and peersResynced(
                res.output,
                PEERS_SECTION,
                haproxyMajor()
            ) == true then
                break
            end
            local now = core.now()
            local waited = (now.sec - start.sec) * 1000 + math.floor((now.usec - start.usec) / 1000)
            if res.ok and waited >= ALONE_MS and peersLinked(res.output) == 0 then
                logEvent(
                    core.notice,
                    "no other node linked: serving with this node's own state",
                    {{
                        "waited_ms",
                        itoa(waited)
                    }}
                )
                break
            end
            if waited >= CATCH_UP_MS then
                inc("cluster_catch_up_timeouts")
                logEvent(
                    core.warning,
                    "peers did not finish teaching this node its tables: serving with what arrived",
                    {
                        {
                            "waited_ms",
                            itoa(waited)
                        },
                        {
                            "linked",
                            itoa(peersLinked(res.output))
                        }
                    }
                )
                break
            end
            core.msleep(____exports.SYNC_POLL_MS)
        end
    end
    poller:step(true)
end
--- Write again the removals that are due (sync task, every poll): only where an older write brought the rule back.
function ____exports.reassertDue(settings)
    if #reassertQueue == 0 then
        return
    end
    local now = core.now()
    local ms = now.sec * 1000 + math.floor(now.usec / 1000)
    local cmds = {}
    local i = 0
    while i < #reassertQueue do
        do
            local q = reassertQueue[i + 1]
            local step = REASSERT_AFTER_MS[q.next + 1]
            if ms - q.start < step then
                i = i + 1
                goto __continue50
            end
            local px = core.backends[q.table]
            local ____temp_5
            if px == nil or px.stktable == nil then
                ____temp_5 = nil
            else
                ____temp_5 = px.stktable:lookup(q.key)
            end
            local e = ____temp_5
            local ____temp_6
            if e == nil then
                ____temp_6 = nil
            else
                ____temp_6 = currentEntryOf(function(f) return e[f] end)
            end
            local current = ____temp_6
            if needsReassert(current, q.stamp) then
                cmds[#cmds + 1] = q.command
            end
            q.next = q.next + 1
            if q.next >= #REASSERT_AFTER_MS then
                __TS__ArraySplice(reassertQueue, i, 1)
            else
                i = i + 1
            end
        end
        ::__continue50::
    end
    if #cmds == 0 then
        return
    end
    inc("cluster_removals_reasserted", #cmds)
    local res = runCli(settings.runtimeApi, cmds, 2)
    if not res.ok or not cliSucceeded(res.output) then
        inc("cluster_reassert_errors")
        logEvent(core.err, "writing a removal again failed", {{"detail", res.output}})
    end
end
return ____exports
 end,
["lua.rule-tables"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____contract = require("core.contract")
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
--- Rule tables and their maps in this configuration.
function ____exports.edgeBackends()
    local out = {}
    for name in pairs(core.backends) do
        local n = name
        if __TS__StringSubstring(n, 0, #RULE_TABLE_PREFIX) == RULE_TABLE_PREFIX then
            out[#out + 1] = __TS__StringSubstring(n, #RULE_TABLE_PREFIX)
        end
    end
    return out
end
function ____exports.largestTable()
    local most = 0
    for ____, be in ipairs(____exports.edgeBackends()) do
        local px = core.backends[RULE_TABLE_PREFIX .. be]
        local used = px ~= nil and px.stktable ~= nil and px.stktable:info().used or 0
        if used > most then
            most = used
        end
    end
    return most
end
return ____exports
 end,
["lua.expiry"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__Class = ____lualib.__TS__Class
local __TS__New = ____lualib.__TS__New
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local ____runtime_2Dcmd = require("core.runtime-cmd")
local escapeCliArg = ____runtime_2Dcmd.escapeCliArg
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____runtime_2Dapi = require("lua.runtime-api")
local CommandBatch = ____runtime_2Dapi.CommandBatch
local runCli = ____runtime_2Dapi.runCli
local ____rule_2Dtables = require("lua.rule-tables")
local edgeBackends = ____rule_2Dtables.edgeBackends
local ____slices = require("lua.slices")
local pause = ____slices.pause
local slice = ____slices.slice
--- Free expired rules. A table up to `walk_limit` entries: one data-filtered clear (a walk, at most
-- ~17 ms). A bigger one is never walked when there is a journal: compaction names the keys that
-- expired and the ExpiredClearer frees them one by one; a bigger table 90% full reports memory
-- pressure (with on_full: refuse, compaction then frees expired entries sooner). Without a journal
-- a bigger table is walked only under that pressure.
function ____exports.sweep(settings, now, persist)
    local pressure = false
    for ____, be in ipairs(edgeBackends()) do
        do
            local px = core.backends[RULE_TABLE_PREFIX .. be]
            local info = px ~= nil and px.stktable ~= nil and px.stktable:info() or nil
            local before = info ~= nil and info.used or 0
            if info ~= nil and info.used > settings.walkLimit then
                local full = info.used >= info.size * 0.9
                if full then
                    pressure = true
                end
                if persist or not full then
                    goto __continue3
                end
            end
            local res = runCli(
                settings.runtimeApi,
                {(((("clear table " .. escapeCliArg(RULE_TABLE_PREFIX .. be)) .. " data.") .. RULE_FIELDS.expiry) .. " lt ") .. itoa(now)},
                10
            )
            if not res.ok then
                logEvent(core.err, "sweep failed", {{"backend", be}, {"detail", res.output}})
                goto __continue3
            end
            local after = px ~= nil and px.stktable ~= nil and px.stktable:info().used or 0
            if before > after then
                inc("rules_expired", before - after)
            end
        end
        ::__continue3::
    end
    return pressure
end
--- Clears, key by key, the entries compaction found expired that the live table still holds
-- expired (a key learned again since then is kept). Each `clear table ... key` is O(log n);
-- batches stay below the CLI's buffer and the task yields between them.
____exports.ExpiredClearer = __TS__Class()
local ExpiredClearer = ____exports.ExpiredClearer
ExpiredClearer.name = "ExpiredClearer"
function ExpiredClearer.prototype.____constructor(self, settings, now)
    self.now = now
    self.pending = {}
    self.freed = 0
    self.seen = 0
    self.batch = __TS__New(
        CommandBatch,
        function(cmds)
            local res = runCli(settings.runtimeApi, cmds, 10)
            if not res.ok then
                logEvent(core.err, "clearing expired rules failed", {{"detail", res.output}})
            end
            for ____, b in ipairs(self.pending) do
                if b.t:lookup(b.key) == nil then
                    self.freed = self.freed + 1
                end
            end
            self.pending = {}
            pause()
        end
    )
end
function ExpiredClearer.prototype.add(self, ____table, key)
    self.seen = self.seen + 1
    if self.seen % 20 == 0 then
        slice()
    end
    local px = core.backends[____table]
    local ____temp_0
    if px == nil then
        ____temp_0 = nil
    else
        ____temp_0 = px.stktable
    end
    local t = ____temp_0
    if t == nil then
        return
    end
    local e = t:lookup(key)
    if e == nil or (e[RULE_FIELDS.expiry] or 0) > self.now then
        return
    end
    self.batch:add((("clear table " .. escapeCliArg(____table)) .. " key ") .. escapeCliArg(key))
    local ____self_pending_1 = self.pending
    ____self_pending_1[#____self_pending_1 + 1] = {t = t, key = key}
end
function ExpiredClearer.prototype.finish(self)
    self.batch:flush()
    return self.freed
end
return ____exports
 end,
["lua.headers"] = function(...) 
local ____exports = {}
--- A txn variable that holds a string, or undefined.
function ____exports.varString(txn, name)
    local v = txn:get_var(name)
    return type(v) == "string" and v or nil
end
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
["lua.learn"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____contract = require("core.contract")
local EVAL_BACKEND_SUFFIX = ____contract.EVAL_BACKEND_SUFFIX
local GENERATIONS_MAP = ____contract.GENERATIONS_MAP
local HEADERS = ____contract.HEADERS
local PENDING_FIELDS = ____contract.PENDING_FIELDS
local PENDING_TABLE_PREFIX = ____contract.PENDING_TABLE_PREFIX
local SEEN_FIELD = ____contract.SEEN_FIELD
local SEEN_TABLE_PREFIX = ____contract.SEEN_TABLE_PREFIX
local VARS = ____contract.VARS
local ____policy = require("core.policy")
local admitBlock = ____policy.admitBlock
local takeTokens = ____policy.takeTokens
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____runtime_2Dcmd = require("core.runtime-cmd")
local escapeCliArg = ____runtime_2Dcmd.escapeCliArg
local ____rulekey = require("core.rulekey")
local ruleKeys = ____rulekey.ruleKeys
local ____signal = require("core.signal")
local parseSignal = ____signal.parseSignal
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____headers = require("lua.headers")
local headerValues = ____headers.headerValues
local varString = ____headers.varString
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local runCli = ____runtime_2Dapi.runCli
local ____eviction = require("core.eviction")
local tableNeverPurges = ____eviction.tableNeverPurges
local ____store = require("lua.store")
local STORE_FULL = ____store.STORE_FULL
local storeBlocks = ____store.storeBlocks
local storeMap = ____store.storeMap
local storeRemoves = ____store.storeRemoves
local tableFill = ____store.tableFill
local ____generation = require("core.generation")
local createdUnder = ____generation.createdUnder
local generationKey = ____generation.generationKey
local ____ready = require("lua.ready")
local txnStopProbe = ____ready.txnStopProbe
local buckets = {}
--- The signal outcome in txn vars (for haproxy.cfg and the log line), and counted.
function ____exports.publish(txn, outcome, reason)
    txn:set_var(VARS.signalOutcome, outcome)
    txn:set_var(VARS.signalReason, reason)
    inc((("signal:" .. outcome) .. ":") .. reason)
end
local function refuse(txn, reason, backend, path, detail)
    ____exports.publish(txn, "rejected", reason)
    logEvent(reason == "edge-error" and core.err or core.warning, "signal rejected", {{"reason", reason}, {"backend", backend}, {"path", path}, {"detail", detail}})
end
local function pendingLookup(backend, key)
    local px = core.backends[PENDING_TABLE_PREFIX .. backend]
    local ____temp_0
    if px == nil or px.stktable == nil then
        ____temp_0 = nil
    else
        ____temp_0 = px.stktable:lookup(key)
    end
    local e = ____temp_0
    if e == nil then
        return {signals = 0, clients = 0}
    end
    return {signals = e[PENDING_FIELDS.signals] or 0, clients = e[PENDING_FIELDS.clients] or 0}
end
local function seen(backend, key)
    local px = core.backends[SEEN_TABLE_PREFIX .. backend]
    return px ~= nil and px.stktable ~= nil and px.stktable:lookup(key) ~= nil
end
--- Confirmation threshold: count this signal for each rule key; return the rules
-- that have now been seen often enough from enough distinct clients.
local function confirm(ctx, backend, client, rules)
    local s = ctx.settings
    if s.confirmSignals <= 1 and s.confirmClients <= 1 then
        return {ready = {table.unpack(rules)}}
    end
    local ready = {}
    local cmds = {}
    for ____, r in ipairs(rules) do
        local key = ruleKeys(r.match)[1]
        local p = pendingLookup(backend, key)
        local pair = (key .. "|") .. client
        local fresh = not seen(backend, pair)
        local signals = p.signals + 1
        local clients = p.clients + (fresh and 1 or 0)
        if signals >= s.confirmSignals and clients >= s.confirmClients then
            ready[#ready + 1] = r
            cmds[#cmds + 1] = (("clear table " .. escapeCliArg(PENDING_TABLE_PREFIX .. backend)) .. " key ") .. escapeCliArg(key)
        else
            cmds[#cmds + 1] = (((((((((("set table " .. escapeCliArg(PENDING_TABLE_PREFIX .. backend)) .. " key ") .. escapeCliArg(key)) .. " data.") .. PENDING_FIELDS.signals) .. " ") .. itoa(signals)) .. " data.") .. PENDING_FIELDS.clients) .. " ") .. itoa(clients)
            if fresh then
                cmds[#cmds + 1] = ((((("set table " .. escapeCliArg(SEEN_TABLE_PREFIX .. backend)) .. " key ") .. escapeCliArg(pair)) .. " data.") .. SEEN_FIELD) .. " 1"
            end
        end
    end
    local res = runCli(ctx.settings.runtimeApi, cmds, 2)
    if not res.ok or not cliSucceeded(res.output) then
        return {ready = {}, error = res.output}
    end
    return {ready = ready}
end
--- A signal under the backend's current generation is created at the generation's first second (core/generation.ts).
local function confirmedAt(maps, txn, backend, nowSec)
    local token = varString(txn, VARS.generation)
    local m = storeMap(maps, GENERATIONS_MAP)
    if token == nil or m == nil then
        return nowSec
    end
    return createdUnder(
        nowSec,
        m:lookup(backend),
        m:lookup(generationKey(backend, token))
    )
end
function ____exports.backendOf(txn)
    local routed = varString(txn, VARS.backend)
    if routed ~= nil then
        return routed
    end
    local be = txn.f:be_name()
    if be == nil then
        return nil
    end
    local cut = #be - #EVAL_BACKEND_SUFFIX
    return cut > 0 and __TS__StringSubstring(be, cut) == EVAL_BACKEND_SUFFIX and __TS__StringSubstring(be, 0, cut) or be
end
--- The action body. Never throws: main.ts wraps it, and every path publishes an outcome.
function ____exports.execute(ctx, txn, mode)
    local backend = ____exports.backendOf(txn)
    local path = varString(txn, VARS.path)
    local headers = txn.http:res_get_headers()
    local resource = headerValues(headers, HEADERS.resource)
    local rule = headerValues(headers, HEADERS.rule)
    if #resource == 0 and #rule == 0 then
        return
    end
    if mode == "untrusted" then
        refuse(
            txn,
            "untrusted",
            backend,
            path,
            "backend is not trusted to send signals"
        )
        return
    end
    if backend == nil then
        refuse(
            txn,
            "edge-error",
            backend,
            path,
            "no backend name in the response phase"
        )
        return
    end
    local method = txn.f:method() or ""
    local status = txn.f:status() or 0
    local verdict = parseSignal({resource = resource, rule = rule}, {path = path, method = method, status = status}, ctx.settings)
    if verdict.kind == "none" then
        return
    end
    if verdict.kind == "ignore" then
        ____exports.publish(txn, "ignored", "valid")
        return
    end
    if verdict.kind == "reject" then
        refuse(
            txn,
            verdict.reason,
            backend,
            path,
            verdict.detail
        )
        return
    end
    for ____, b in ipairs(verdict.blocks) do
        local no = admitBlock(b, ctx.settings)
        if no ~= nil then
            refuse(
                txn,
                no.reason,
                backend,
                b.match.path,
                no.detail
            )
            return
        end
    end
    local now = core.now()
    local stopping = txnStopProbe(txn)
    local full = false
    local fill
    if #verdict.blocks > 0 then
        fill = tableFill(backend)
        if fill ~= nil and fill.used >= fill.size then
            if ctx.settings.onFull == "refuse" then
                refuse(
                    txn,
                    "store-full",
                    backend,
                    path,
                    (tostring(fill.used) .. " rules in a table of ") .. tostring(fill.size)
                )
                return
            end
            full = true
        end
        local bucket = buckets[backend] or ({tokens = ctx.settings.learnBurst > 0 and ctx.settings.learnBurst or ctx.settings.learnRate, last = now.sec * 1000})
        buckets[backend] = bucket
        local share = (ctx.rateShare > 1 and ctx.rateShare or 1) * (ctx.settings.clusterNodes > 1 and ctx.settings.clusterNodes or 1)
        local rate = ctx.settings.learnRate / share
        local burst = (ctx.settings.learnBurst > 0 and ctx.settings.learnBurst or ctx.settings.learnRate) / share
        if not takeTokens(
            bucket,
            now.sec * 1000 + math.floor(now.usec / 1000),
            rate,
            burst,
            #verdict.blocks
        ) then
            refuse(
                txn,
                "rate-limited",
                backend,
                path,
                ("learning rate " .. tostring(ctx.settings.learnRate)) .. "/s exceeded"
            )
            return
        end
    end
    local blocks = {table.unpack(verdict.blocks)}
    if #blocks > 0 then
        local client = txn.f:src() or "-"
        local c = confirm(ctx, backend, client, blocks)
        if c.error ~= nil then
            refuse(
                txn,
                "edge-error",
                backend,
                path,
                c.error
            )
            return
        end
        if #c.ready < #blocks then
            inc("rules_pending", #blocks - #c.ready)
            logEvent(
                core.info,
                "signal pending confirmation",
                {
                    {"backend", backend},
                    {"path", path},
                    {
                        "pending",
                        itoa(#blocks - #c.ready)
                    }
                }
            )
        end
        blocks = c.ready
    end
    if #blocks > 0 then
        local failure = storeBlocks(
            ctx.settings,
            ctx.maps,
            backend,
            blocks,
            now,
            txn.f:srv_id() or 0,
            {
                stopping = stopping,
                fill = fill,
                createdAt = confirmedAt(ctx.maps, txn, backend, now.sec)
            }
        )
        if failure == STORE_FULL then
            refuse(
                txn,
                "store-full",
                backend,
                path,
                "no room left in the rule table"
            )
            return
        end
        if failure ~= nil then
            refuse(
                txn,
                "edge-error",
                backend,
                path,
                failure
            )
            return
        end
        if full and not tableNeverPurges(ctx.settings.onFull, #ctx.settings.stateDir > 0) then
            inc("rules_evicted", #blocks)
        end
        local taught = ""
        for ____, b in ipairs(blocks) do
            for ____, k in ipairs(ruleKeys(b.match)) do
                taught = (taught .. (#taught > 0 and " " or "")) .. k
            end
        end
        txn:set_var(VARS.taughtKeys, taught)
    end
    local removed = 0
    if #verdict.removes > 0 then
        local r = storeRemoves(
            ctx.settings,
            backend,
            verdict.removes,
            now.sec,
            {stopping = stopping}
        )
        if r.error ~= nil then
            refuse(
                txn,
                "edge-error",
                backend,
                path,
                r.error
            )
            return
        end
        removed = r.removed
        inc("rules_removed:signal", removed)
    end
    ____exports.publish(txn, #blocks > 0 and "learned" or (#verdict.removes > 0 and "removed" or "pending"), #blocks > 0 and blocks[1].reason or "-")
    for ____, r in ipairs(blocks) do
        inc("rules_learned:" .. r.reason)
        for ____, key in ipairs(ruleKeys(r.match)) do
            logEvent(
                core.info,
                "rule learned",
                {
                    {"backend", backend},
                    {"key", key},
                    {
                        "status",
                        itoa(r.status)
                    },
                    {
                        "ttl",
                        itoa(r.ttl)
                    },
                    {"reason", r.reason},
                    {"mode", r.dryRun and "dry-run" or "enforce"}
                }
            )
        end
    end
    for ____, r in ipairs(verdict.removes) do
        logEvent(
            core.info,
            "rule removed",
            {
                {"backend", backend},
                {"path", r.match.path},
                {
                    "count",
                    itoa(removed)
                }
            }
        )
    end
end
return ____exports
 end,
["lua.generation"] = function(...) 
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local GENERATIONS_MAP = ____contract.GENERATIONS_MAP
local VARS = ____contract.VARS
local ____generation = require("core.generation")
local generationKey = ____generation.generationKey
local generationRecords = ____generation.generationRecords
local validGenerationToken = ____generation.validGenerationToken
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____headers = require("lua.headers")
local varString = ____headers.varString
local ____learn = require("lua.learn")
local backendOf = ____learn.backendOf
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____store = require("lua.store")
local applyMutations = ____store.applyMutations
local storeMap = ____store.storeMap
function ____exports.execute(settings, maps, txn, mode)
    local backend = backendOf(txn)
    local token = varString(txn, VARS.generation)
    if mode ~= "trusted" or backend == nil then
        inc("generations_refused")
        logEvent(core.warning, "generation refused", {{"backend", backend}, {"token", token}, {"reason", backend == nil and "edge-error" or "untrusted"}})
        return
    end
    if token == nil or not validGenerationToken(token) then
        inc("generations_refused")
        logEvent(core.warning, "generation refused", {{"backend", backend}, {"token", token}, {"reason", "malformed"}})
        return
    end
    local map = storeMap(maps, GENERATIONS_MAP)
    if map ~= nil and map:lookup(generationKey(backend, token)) ~= nil then
        return
    end
    local now = core.now().sec
    local records = generationRecords(
        backend,
        token,
        now,
        map and map:lookup(backend)
    )
    local ____error = applyMutations(settings, records)
    if ____error ~= nil then
        inc("generations_failed")
        logEvent(core.err, "generation not recorded", {{"backend", backend}, {"token", token}, {"error", ____error}})
        return
    end
    inc("generations_changed")
    logEvent(
        core.info,
        "generation changed",
        {
            {"backend", backend},
            {"token", token},
            {
                "since",
                records[2].kind == "map-set" and records[2].value or itoa(now)
            }
        }
    )
end
return ____exports
 end,
["lua.guard"] = function(...) 
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____log = require("lua.log")
local logEvent = ____log.logEvent
--- Distinct failure reasons logged per Lua state; later ones are counted only.
____exports.MAX_LOGGED_FAILURES = 32
local logged = {}
local loggedCount = 0
--- Count and log (once per entry and reason) a failure of an entry point.
function ____exports.failed(entry, reason)
    inc("lua_errors:" .. entry)
    local key = (entry .. " ") .. reason
    if logged[key] == true then
        return
    end
    if loggedCount >= ____exports.MAX_LOGGED_FAILURES then
        if loggedCount == ____exports.MAX_LOGGED_FAILURES then
            logEvent(
                core.err,
                "entry point failed",
                {
                    {"entry", "*"},
                    {"detail", "more distinct failures are counted only (lua_errors)"},
                    {
                        "logged",
                        itoa(loggedCount)
                    }
                }
            )
        end
        loggedCount = loggedCount + 1
        return
    end
    logged[key] = true
    loggedCount = loggedCount + 1
    logEvent(core.err, "entry point failed", {{"entry", entry}, {"fail_open", "yes"}, {"detail", reason}})
end
--- Run `body`; on an error, count and log it and return what `fallback` gives (it only publishes a fail-open outcome).
function ____exports.guard(entry, body, fallback)
    local ok, res = pcall(body)
    if ok then
        return res
    end
    ____exports.failed(entry, res)
    return fallback(res)
end
return ____exports
 end,
["lua.revalidate"] = function(...) 
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local HOP_TAUGHT_HEADER = ____contract.HOP_TAUGHT_HEADER
local VARS = ____contract.VARS
local ____rulekey = require("core.rulekey")
local parseRuleKey = ____rulekey.parseRuleKey
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____headers = require("lua.headers")
local headerValues = ____headers.headerValues
local varString = ____headers.varString
local ____learn = require("lua.learn")
local backendOf = ____learn.backendOf
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____store = require("lua.store")
local storeRemoves = ____store.storeRemoves
--- Whether `key` is one of the space-separated keys in `list`.
local function listed(list, key)
    if list == nil then
        return false
    end
    for ____, k in ipairs(splitOn(list, 32)) do
        if k == key then
            return true
        end
    end
    return false
end
function ____exports.execute(settings, txn, onHop)
    local backend = backendOf(txn)
    local key = varString(txn, VARS.letThrough)
    if backend == nil or key == nil then
        return
    end
    local status = txn.f:status() or 0
    local hop = onHop == "hop" and headerValues(
        txn.http:res_get_headers(),
        HOP_TAUGHT_HEADER
    ) or ({})
    if listed(
        varString(txn, VARS.taughtKeys),
        key
    ) or listed(#hop > 0 and hop[1] or nil, key) then
        inc("revalidations_confirmed")
        return
    end
    if status == 0 or status >= 500 then
        logEvent(
            core.warning,
            "rule kept: its backend did not answer the let-through request",
            {
                {"backend", backend},
                {"key", key},
                {
                    "status",
                    itoa(status)
                }
            }
        )
        return
    end
    local parsed = parseRuleKey(key)
    if parsed == nil then
        return
    end
    local method = txn.f:method() or ""
    local ____temp_0
    if parsed.method == "*" then
        ____temp_0 = method == "GET" or method == "HEAD"
    else
        ____temp_0 = method == parsed.method
    end
    local methodFits = ____temp_0
    if status < 200 or status > 299 or not methodFits or txn:get_var(VARS.letThroughCredentials) ~= nil then
        inc("revalidations_inconclusive")
        return
    end
    local r = storeRemoves(
        settings,
        backend,
        {{match = parsed.match, everything = false}},
        core.now().sec
    )
    if r.error ~= nil then
        inc("revalidations_failed")
        logEvent(core.err, "rule not lifted", {{"backend", backend}, {"key", key}, {"error", r.error}})
        return
    end
    inc("revalidations_lifted")
    logEvent(
        core.info,
        "rule lifted: the backend no longer confirms it",
        {
            {"backend", backend},
            {"key", key},
            {
                "status",
                itoa(status)
            }
        }
    )
end
return ____exports
 end,
["lua.probe"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local HEADERS = ____contract.HEADERS
local PROBE_HEADER = ____contract.PROBE_HEADER
local ____rulekey = require("core.rulekey")
local parseRuleKey = ____rulekey.parseRuleKey
local ruleKeys = ____rulekey.ruleKeys
local ____signal = require("core.signal")
local parseSignal = ____signal.parseSignal
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____headers = require("lua.headers")
local headerValues = ____headers.headerValues
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____store = require("lua.store")
local storeBlocks = ____store.storeBlocks
local storeRemoves = ____store.storeRemoves
--- Rules waiting per backend, and when each rule was last probed.
local queues = {}
local lastProbe = {}
--- Waiting rules per backend beyond which new ones are dropped (they come again with the next blocks).
local MAX_QUEUED = 1000
--- The converter: queue the rule `key` of `backend` unless it was probed within `every` s or is queued. Returns the key.
function ____exports.enqueue(key, backend, rate, every)
    local now = core.now().sec
    local e = tonumber(every) or 3600
    local r = tonumber(rate) or 1
    local q = queues[backend]
    if q == nil then
        q = {keys = {}, interval = 1 / (r > 0 and r or 1), every = e, next = 0}
        queues[backend] = q
    end
    local last = lastProbe[(backend .. "\t") .. key]
    if last ~= nil and now - last < e then
        return key
    end
    if #q.keys >= MAX_QUEUED then
        inc("probes_dropped")
        return key
    end
    local ____q_keys_0 = q.keys
    ____q_keys_0[#____q_keys_0 + 1] = key
    lastProbe[(backend .. "\t") .. key] = now
    return key
end
--- A server of the backend to ask: the first that is not down (its address as `ip:port`).
local function serverOf(backend)
    local px = core.backends[backend]
    if px == nil then
        return nil
    end
    local fallback
    for ____, s in pairs(px.servers) do
        local sv = s
        local addr = sv:get_addr()
        local status = tostring(sv:get_stats().status or "")
        if __TS__StringSubstring(status, 0, 4) ~= "DOWN" and status ~= "MAINT" then
            return addr
        end
        if fallback == nil then
            fallback = addr
        end
    end
    return fallback
end
--- Send one probe and act on the answer.
local function probe(settings, maps, backend, key)
    local parsed = parseRuleKey(key)
    if parsed == nil or parsed.spec ~= nil then
        return
    end
    local method = (parsed.method == "*" or #parsed.method == 0) and "GET" or parsed.method
    local server = serverOf(backend)
    if server == nil then
        return
    end
    local hc = core.httpclient()
    local req = {url = ("http://" .. server) .. parsed.path, headers = {[PROBE_HEADER] = {"1"}, host = {server}}, timeout = 5000}
    local res
    if method == "GET" then
        res = hc:get(req)
    elseif method == "HEAD" then
        res = hc:head(req)
    elseif method == "POST" then
        res = hc:post(req)
    elseif method == "PUT" then
        res = hc:put(req)
    elseif method == "DELETE" then
        res = hc:delete(req)
    else
        return
    end
    inc("probes_sent")
    local status = res == nil and 0 or (res.status or 0)
    local headers = res and res.headers
    local resource = headers == nil and ({}) or headerValues(headers, HEADERS.resource)
    local rule = headers == nil and ({}) or headerValues(headers, HEADERS.rule)
    local verdict = #resource + #rule > 0 and parseSignal({resource = resource, rule = rule}, {path = parsed.path, method = method, status = status}, settings) or nil
    local same = false
    if verdict ~= nil and verdict.kind == "apply" then
        for ____, b in ipairs(verdict.blocks) do
            for ____, k in ipairs(ruleKeys(b.match)) do
                if k == key then
                    same = true
                end
            end
        end
    end
    if verdict ~= nil and verdict.kind == "apply" and same then
        local ____error = storeBlocks(
            settings,
            maps,
            backend,
            verdict.blocks,
            core.now(),
            0
        )
        inc(____error == nil and "probes_confirmed" or "probes_failed")
        logEvent(
            core.info,
            "probe: rule confirmed",
            {
                {"backend", backend},
                {"key", key},
                {
                    "status",
                    itoa(status)
                }
            }
        )
        return
    end
    if status == 0 or status >= 500 then
        inc("probes_failed")
        logEvent(
            core.warning,
            "probe: no answer, rule kept",
            {
                {"backend", backend},
                {"key", key},
                {
                    "status",
                    itoa(status)
                }
            }
        )
        return
    end
    local r = storeRemoves(
        settings,
        backend,
        {{match = parsed.match, everything = false}},
        core.now().sec
    )
    inc(r.error == nil and "probes_lifted" or "probes_failed")
    logEvent(
        core.info,
        "probe: rule lifted, the backend no longer confirms it",
        {
            {"backend", backend},
            {"key", key},
            {
                "status",
                itoa(status)
            }
        }
    )
end
--- The task body: forever, each backend's next queued rule when its rate allows.
function ____exports.run(settings, maps)
    do
        while true do
            local now = core.now()
            local t = now.sec + now.usec / 1000000
            local sent = false
            for backend, q in pairs(queues) do
                do
                    local qq = q
                    if #qq.keys == 0 or t < qq.next then
                        goto __continue31
                    end
                    qq.next = t + qq.interval
                    local key = table.remove(qq.keys, 1)
                    local ok, err = pcall(function() return probe(settings, maps, backend, key) end)
                    if not ok then
                        inc("probes_failed")
                        logEvent(
                            core.err,
                            "probe failed",
                            {
                                {"backend", backend},
                                {"key", key},
                                {
                                    "error",
                                    tostring(err)
                                }
                            }
                        )
                    end
                    sent = true
                end
                ::__continue31::
            end
            core.msleep(sent and 10 or 100)
        end
    end
end
return ____exports
 end,
["lua.match"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local __TS__StringCharCodeAt = ____lualib.__TS__StringCharCodeAt
local ____exports = {}
local ____contract = require("core.contract")
local AUTHED = ____contract.AUTHED
local VARS = ____contract.VARS
local ____rulekey = require("core.rulekey")
local bestSpec = ____rulekey.bestSpec
local normalizeHost = ____rulekey.normalizeHost
local queryNames = ____rulekey.queryNames
local ____headers = require("lua.headers")
local varString = ____headers.varString
--- Publish the key of the base's most specific matching spec; haproxy.cfg checks that it is live.
local function tryBase(txn, base, specs, req)
    if base == nil or specs == nil then
        return
    end
    local spec = bestSpec(specs, req)
    if spec ~= nil then
        txn:set_var(VARS.qualKey, (base .. " ") .. spec)
    end
end
--- An absolute-form request without a Host header names its host in its authority (RFC 9112 3.2.2).
local function authorityOf(url)
    if url == nil then
        return nil
    end
    local low = string.lower(__TS__StringSubstring(url, 0, 8))
    local start = __TS__StringSubstring(low, 0, 7) == "http://" and 7 or (low == "https://" and 8 or -1)
    if start < 0 then
        return nil
    end
    local ____end = #url
    for ____, stop in ipairs({"/", "?", "#"}) do
        local i = (string.find(
            url,
            stop,
            math.max(start + 1, 1),
            true
        ) or 0) - 1
        if i >= 0 and i < ____end then
            ____end = i
        end
    end
    local from = start
    do
        local i = start
        while i < ____end do
            if __TS__StringCharCodeAt(url, i) == 64 then
                from = i + 1
            end
            i = i + 1
        end
    end
    return __TS__StringSubstring(url, from, ____end)
end
--- `which` is the action argument: `exact` (the path's own rules) or `prefix` (the longest prefix's).
function ____exports.execute(txn, which)
    local host = txn.f:req_hdr("host") or authorityOf(txn.f:url())
    local ____temp_1 = varString(txn, VARS.method) or ""
    local ____temp_0
    if host ~= nil then
        ____temp_0 = normalizeHost(host)
    else
        ____temp_0 = nil
    end
    local req = {
        method = ____temp_1,
        host = ____temp_0,
        auth = varString(txn, VARS.auth) == AUTHED and "authed" or "anon",
        queryNames = queryNames(txn.f:query())
    }
    if which == "prefix" then
        tryBase(
            txn,
            varString(txn, VARS.prefixBase),
            varString(txn, VARS.prefixQualSpecs),
            req
        )
    else
        tryBase(
            txn,
            varString(txn, VARS.path),
            varString(txn, VARS.qualSpecs),
            req
        )
    end
end
return ____exports
 end,
["lua.metrics"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__ArraySort = ____lualib.__TS__ArraySort
local __TS__StringSubstring = ____lualib.__TS__StringSubstring
local ____exports = {}
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local parseDecimal = ____bytes.parseDecimal
local splitOn = ____bytes.splitOn
local ____contract = require("core.contract")
local CONTROL_FIELD = ____contract.CONTROL_FIELD
local CONTROL_TABLE = ____contract.CONTROL_TABLE
local ENFORCEMENT_OFF_KEY = ____contract.ENFORCEMENT_OFF_KEY
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local STATS_FIELD = ____contract.STATS_FIELD
local STATS_TABLE = ____contract.STATS_TABLE
local ____metrics = require("core.metrics")
local formatMetrics = ____metrics.formatMetrics
local sumCounters = ____metrics.sumCounters
local ____counters = require("lua.counters")
local NAMES_KEY = ____counters.NAMES_KEY
--- Every Lua state's counters, read through its names registry (a map cannot be listed from Lua).
local function counterSamples(maps)
    local samples = {}
    local nbthread = tonumber(core.get_info().Nbthread) or 1
    do
        local t = 0
        while t <= nbthread do
            do
                local list = maps.counters:lookup((itoa(t) .. ":") .. NAMES_KEY)
                if list == nil then
                    goto __continue4
                end
                for ____, name in ipairs(splitOn(list, 32)) do
                    do
                        if #name == 0 then
                            goto __continue6
                        end
                        local v = parseDecimal(
                            maps.counters:lookup((itoa(t) .. ":") .. name) or "",
                            999999999999999
                        )
                        if v >= 0 then
                            samples[#samples + 1] = {
                                name = (itoa(t) .. ":") .. name,
                                value = v
                            }
                        end
                    end
                    ::__continue6::
                end
            end
            ::__continue4::
            t = t + 1
        end
    end
    return samples
end
--- Native blocked / would-block counters: the stats table is small (a few keys per status and reason).
local function nativeSamples()
    local out = {}
    local px = core.backends[STATS_TABLE]
    if px == nil or px.stktable == nil then
        return out
    end
    for key, data in pairs(px.stktable:dump()) do
        local v = data[STATS_FIELD]
        if v ~= nil then
            out[#out + 1] = {name = key, value = v}
        end
    end
    __TS__ArraySort(
        out,
        function(____, a, b) return a.name < b.name and -1 or (a.name > b.name and 1 or 0) end
    )
    return out
end
function ____exports.render(maps)
    local counters = sumCounters(counterSamples(maps))
    local native = nativeSamples()
    local tables = {}
    for name, px in pairs(core.backends) do
        do
            local n = name
            if __TS__StringSubstring(n, 0, #RULE_TABLE_PREFIX) ~= RULE_TABLE_PREFIX or px.stktable == nil then
                goto __continue16
            end
            local i = px.stktable:info()
            tables[#tables + 1] = {
                backend = __TS__StringSubstring(n, #RULE_TABLE_PREFIX),
                size = i.size,
                used = i.used
            }
        end
        ::__continue16::
    end
    __TS__ArraySort(
        tables,
        function(____, a, b) return a.backend < b.backend and -1 or 1 end
    )
    local ctl = core.backends[CONTROL_TABLE]
    local ____temp_0
    if ctl ~= nil and ctl.stktable ~= nil then
        ____temp_0 = ctl.stktable:lookup(ENFORCEMENT_OFF_KEY)
    else
        ____temp_0 = nil
    end
    local off = ____temp_0
    return formatMetrics({counters = counters, native = native, tables = tables, enforcement = off == nil or (off[CONTROL_FIELD] or 0) == 0})
end
function ____exports.execute(applet, maps)
    local body = ____exports.render(maps)
    applet:set_status(200)
    applet:add_header("content-type", "text/plain; version=0.0.4; charset=utf-8")
    applet:add_header(
        "content-length",
        tostring(#body)
    )
    applet:start_response()
    applet:send(body)
end
return ____exports
 end,
["lua.normalize"] = function(...) 
local ____exports = {}
local ____path = require("core.path")
local lookupKeyForPath = ____path.lookupKeyForPath
function ____exports.execute(settings, value)
    return lookupKeyForPath(value, settings)
end
return ____exports
 end,
["lua.settings-loader"] = function(...) 
local ____exports = {}
local ____contract = require("core.contract")
local SETTINGS_ENV = ____contract.SETTINGS_ENV
local ____settings = require("core.settings")
local parseSettings = ____settings.parseSettings
--- The settings, or an error that stops HAProxy's start (or reload) with the reason: blocks.lua never runs
-- on settings it could not read, and a request is never held for a maintenance task that does not exist.
function ____exports.loadSettings()
    local path = os.getenv(SETTINGS_ENV)
    if path == nil or path == "" then
        error(((("edgeblock: " .. SETTINGS_ENV) .. " is not set: add `setenv ") .. SETTINGS_ENV) .. " <file>` to the global section", 0)
    end
    local file, err = io.open(path, "r")
    if file == nil then
        error(
            (("edgeblock: cannot read the settings file " .. path) .. ": ") .. tostring(err),
            0
        )
    end
    local text = file:read("a")
    file:close()
    local parsed = parseSettings(text == nil and "" or text)
    if not parsed.ok then
        error(
            (("edgeblock: settings file " .. path) .. ": ") .. table.concat(parsed.errors, "; "),
            0
        )
    end
    return parsed.settings
end
return ____exports
 end,
["lua.snapshot"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__New = ____lualib.__TS__New
local __TS__Class = ____lualib.__TS__Class
local ____exports = {}
local writeCommands, LineBatches
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local RULE_FIELDS = ____contract.RULE_FIELDS
local RULE_TABLE_PREFIX = ____contract.RULE_TABLE_PREFIX
local ____compact = require("core.compact")
local Compactor = ____compact.Compactor
local ____journal = require("core.journal")
local formatRecord = ____journal.formatRecord
local JOURNAL_FILE = ____journal.JOURNAL_FILE
local JOURNAL_OLD_FILE = ____journal.JOURNAL_OLD_FILE
local SNAPSHOT_FILE = ____journal.SNAPSHOT_FILE
local snapshotHeader = ____journal.snapshotHeader
local ____counters = require("lua.counters")
local inc = ____counters.inc
local setGauge = ____counters.setGauge
local ____expiry = require("lua.expiry")
local ExpiredClearer = ____expiry.ExpiredClearer
local ____journal_2Dfile = require("lua.journal-file")
local path = ____journal_2Dfile.statePath
local writer = ____journal_2Dfile.writer
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____ready = require("lua.ready")
local isStopping = ____ready.isStopping
local ____state_2Dfiles = require("lua.state-files")
local eachRecord = ____state_2Dfiles.eachRecord
local exists = ____state_2Dfiles.exists
local MAP_LINES = ____state_2Dfiles.MAP_LINES
local readFrom = ____state_2Dfiles.readFrom
local TABLE_LINES = ____state_2Dfiles.TABLE_LINES
local ____slices = require("lua.slices")
local longestSliceMs = ____slices.longestSliceMs
local msNow = ____slices.msNow
local slice = ____slices.slice
local startSlices = ____slices.startSlices
local ____store = require("lua.store")
local applyMutations = ____store.applyMutations
local ____checked_2Dfile = require("lua.checked-file")
local CheckedFile = ____checked_2Dfile.CheckedFile
local ____snapshot_2Dcommands = require("core.snapshot-commands")
local batchLine = ____snapshot_2Dcommands.batchLine
local COMMANDS_HEADER = ____snapshot_2Dcommands.COMMANDS_HEADER
local commandsTrailer = ____snapshot_2Dcommands.commandsTrailer
local SNAPSHOT_COMMANDS_FILE = ____snapshot_2Dcommands.SNAPSHOT_COMMANDS_FILE
local ____runtime_2Dcmd = require("core.runtime-cmd")
local CLI_BATCH_BYTES = ____runtime_2Dcmd.CLI_BATCH_BYTES
local ____cluster_2Dsync = require("core.cluster-sync")
local clusterPrune = ____cluster_2Dsync.clusterPrune
local ____store = require("lua.store")
local ruleLive = ____store.ruleLive
function writeCommands(settings, cmds, tmp, head, snapshotBytes)
    cmds:write(commandsTrailer(head, snapshotBytes) .. "\n")
    local failure = cmds:finish()
    if failure == nil then
        local renamed, rerr = os.rename(
            tmp,
            path(settings, SNAPSHOT_COMMANDS_FILE)
        )
        if renamed == nil then
            failure = "rename: " .. tostring(rerr)
        end
    end
    if failure ~= nil then
        os.remove(tmp)
        inc("snapshot_errors")
        logEvent(core.err, "snapshot commands file not written", {{"detail", failure}, {"kept", "the snapshot, which a restart replays instead"}})
    end
end
--- How long compactions leave the commands file out after a snapshot failed while writing both.
local COMMANDS_PAUSE_S = 3600
local commandsPausedUntil = 0
--- Compact: rotate the journal, then stream snapshot + rotated journal through the Compactor
-- (core/compact.ts) into a temp file renamed over the snapshot. Memory follows the journal, not
-- the store: the old snapshot is read twice (its maps, then its entries one by one). Also frees
-- the entries that expired (clear by key), drops map entries whose rules are gone, and publishes
-- the rule census. Never reads the live tables wholesale (see core/compact.ts).
function ____exports.snapshot(settings, now)
    local rotated = not exists(path(settings, JOURNAL_OLD_FILE))
    if rotated and exists(path(settings, JOURNAL_FILE)) then
        local ok, err = os.rename(
            path(settings, JOURNAL_FILE),
            path(settings, JOURNAL_OLD_FILE)
        )
        if ok == nil then
            inc("snapshot_errors")
            logEvent(
                core.err,
                "snapshot not written",
                {
                    {
                        "detail",
                        "journal rotation: " .. tostring(err)
                    },
                    {"kept", "previous snapshot and journal"}
                }
            )
            return nil
        end
    end
    local t0 = msNow()
    startSlices()
    local c = __TS__New(Compactor, now, slice)
    eachRecord(
        path(settings, SNAPSHOT_FILE),
        MAP_LINES,
        function(r) return c:foldSnapshotMap(r) end
    )
    readFrom(
        path(settings, JOURNAL_OLD_FILE),
        0,
        nil,
        {
            push = function(____, r) return c:foldJournal(r) end,
            flush = function() return nil end
        }
    )
    c:prepare()
    local t1 = msNow()
    local tmp = (path(settings, SNAPSHOT_FILE) .. ".tmp.") .. writer()
    local out = __TS__New(CheckedFile, tmp)
    local head = snapshotHeader(
        now,
        writer()
    )
    out:write(head .. "\n")
    local cmdsFile = path(settings, SNAPSHOT_COMMANDS_FILE)
    local cmdsTmp = (cmdsFile .. ".tmp.") .. writer()
    local withCommands = now >= commandsPausedUntil
    if not withCommands then
        os.remove(cmdsFile)
    end
    local cmds = withCommands and __TS__New(CheckedFile, cmdsTmp) or nil
    if cmds ~= nil then
        cmds:write(COMMANDS_HEADER .. "\n")
    end
    local batches = __TS__New(
        LineBatches,
        function(l) return cmds and cmds:write(l .. "\n") end
    )
    local clearer = __TS__New(ExpiredClearer, settings, now)
    local records = 0
    local function emit(____table, key, v, line)
        if v.keep then
            local text = not v.merged and line ~= nil and line or formatRecord(
                {kind = "table", table = ____table, key = key, fields = v.fields},
                writer()
            )
            if text ~= nil then
                out:write(text .. "\n")
                if cmds ~= nil and not batches:add(text) then
                    cmds:write(text .. "\n")
                end
            end
            records = records + 1
        elseif v.expired then
            clearer:add(____table, key)
        end
    end
    eachRecord(
        path(settings, SNAPSHOT_FILE),
        TABLE_LINES,
        function(r, line)
            if r.kind == "table" then
                emit(
                    r.table,
                    r.key,
                    c:snapshotEntry(r.table, r.key, r.fields),
                    line
                )
            end
        end
    )
    for ____, j in ipairs(c:journalEntries()) do
        emit(j.table, j.key, j.verdict, nil)
    end
    batches:flush()
    local fin = c:finish()
    for ____, m in ipairs(fin.maps) do
        local line = formatRecord(
            m,
            writer()
        )
        if line ~= nil then
            out:write(line .. "\n")
            if cmds ~= nil then
                cmds:write(line .. "\n")
            end
        end
        records = records + 1
    end
    local failure = out:finish()
    local t2 = msNow()
    local function dropCommands()
        if cmds == nil then
            return
        end
        cmds:finish()
        os.remove(cmdsTmp)
    end
    if failure ~= nil then
        dropCommands()
        if withCommands then
            commandsPausedUntil = now + COMMANDS_PAUSE_S
            logEvent(
                core.warning,
                "snapshot commands file left out of the next compactions",
                {
                    {
                        "seconds",
                        itoa(COMMANDS_PAUSE_S)
                    },
                    {"reason", "a snapshot failed while it was written too"}
                }
            )
        end
        os.remove(tmp)
        inc("snapshot_errors")
        logEvent(core.err, "snapshot not written", {{"detail", failure}, {"kept", "previous snapshot and journal"}})
        return nil
    end
    if isStopping() then
        dropCommands()
        os.remove(tmp)
        return nil
    end
    local renamed, rerr = os.rename(
        tmp,
        path(settings, SNAPSHOT_FILE)
    )
    if renamed == nil then
        dropCommands()
        os.remove(tmp)
        inc("snapshot_errors")
        logEvent(
            core.err,
            "snapshot not written",
            {
                {
                    "detail",
                    "rename: " .. tostring(rerr)
                },
                {"kept", "previous snapshot and journal"}
            }
        )
        return nil
    end
    os.remove(path(settings, JOURNAL_OLD_FILE))
    if cmds ~= nil then
        writeCommands(
            settings,
            cmds,
            cmdsTmp,
            head,
            out:written()
        )
    end
    local prune = #settings.clusterNode > 0 and clusterPrune(fin.prune, ruleLive) or fin.prune
    if #prune > 0 then
        applyMutations(
            settings,
            prune,
            {},
            isStopping,
            true
        )
    end
    local freed = clearer:finish()
    local t3 = msNow()
    if freed > 0 then
        inc("rules_expired", freed)
    end
    for ____, k in ipairs(fin.census) do
        setGauge(("rules_active:" .. k.backend) .. ":enforce", k.enforce)
        setGauge(("rules_active:" .. k.backend) .. ":dry-run", k.dryRun)
    end
    logEvent(
        core.info,
        "snapshot written",
        {
            {
                "records",
                itoa(records)
            },
            {
                "map_entries_pruned",
                itoa(#prune)
            },
            {
                "expired_freed",
                itoa(freed)
            },
            {
                "ms",
                (((itoa(t1 - t0) .. "/") .. itoa(t2 - t1)) .. "/") .. itoa(t3 - t2)
            },
            {
                "longest_slice_ms",
                itoa(longestSliceMs())
            }
        }
    )
    return {nextExpiry = fin.nextExpiry, rotated = rotated}
end
--- A snapshot line that becomes a command as it is: a rule table's, with a key that needs no escaping and holds no `=` or `,`.
local PLAIN_RULE_LINE = ("^T\t[^\t]*\t" .. RULE_TABLE_PREFIX) .. "[^\t\r\n;\\ =,]*\t[^\t\r\n;\\ =,]+\t[^\t]+$"
--- Bytes a line can grow by as a command (`set table`, `key`, `data.` per field): the lines of a batch stay under the CLI's buffer.
local GROWTH = 64
--- Rule-table lines of the snapshot turned into batch lines of set table commands, a batch at a time by
-- the string library in C: the same commands as core's entryCommand and BatchLines (a per-record build in
-- the Lua VM added 34 s to a 1M-rule compaction, one per line still 18 s).
LineBatches = __TS__Class()
LineBatches.name = "LineBatches"
function LineBatches.prototype.____constructor(self, emit)
    self.emit = emit
    self.lines = {}
    self.size = 0
end
function LineBatches.prototype.add(self, line)
    local at = string.find(line, PLAIN_RULE_LINE)
    if at == nil then
        return false
    end
    if self.size + #line + GROWTH > CLI_BATCH_BYTES and #self.lines > 0 then
        self:flush()
    end
    local ____self_lines_6 = self.lines
    ____self_lines_6[#____self_lines_6 + 1] = line
    self.size = self.size + #line + GROWTH
    return true
end
function LineBatches.prototype.flush(self)
    if #self.lines == 0 then
        return
    end
    local text = table.concat(self.lines, "\n")
    self.lines = {}
    self.size = 0
    local soonest = 0
    for v in string.gmatch(text, ("[\t,]" .. RULE_FIELDS.expiry) .. "=(%d+)") do
        local n = tonumber(v)
        if n > 0 and (soonest == 0 or n < soonest) then
            soonest = n
        end
    end
    local cmds = string.gsub(text, "T\t[^\t\n]*\t([^\t\n]*)\t([^\t\n]*)\t([^\t\n]*)", "set table %1 key %2 data.%3")
    local spaced = string.gsub(cmds, "=", " ")
    local fields = string.gsub(spaced, ",", " data.")
    local joined = string.gsub(fields, "\n", ";")
    self.emit(batchLine(soonest, joined))
end
return ____exports
 end,
["lua.persist"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__New = ____lualib.__TS__New
local ____exports = {}
local loadState, upkeepStep
local ____bytes = require("core.bytes")
local itoa = ____bytes.itoa
local ____contract = require("core.contract")
local CONTROL_FIELD = ____contract.CONTROL_FIELD
local READY_KEY = ____contract.READY_KEY
local READY_TABLE = ____contract.READY_TABLE
local ____journal = require("core.journal")
local JOURNAL_FILE = ____journal.JOURNAL_FILE
local JOURNAL_OLD_FILE = ____journal.JOURNAL_OLD_FILE
local SNAPSHOT_FILE = ____journal.SNAPSHOT_FILE
local ____counters = require("lua.counters")
local inc = ____counters.inc
local ____expiry = require("lua.expiry")
local sweep = ____expiry.sweep
local ____journal_2Dfile = require("lua.journal-file")
local appendAll = ____journal_2Dfile.appendAll
local flushBacklog = ____journal_2Dfile.flushBacklog
local path = ____journal_2Dfile.statePath
local writer = ____journal_2Dfile.writer
local ____log = require("lua.log")
local logEvent = ____log.logEvent
local ____ready = require("lua.ready")
local isStopping = ____ready.isStopping
local ____version = require("lua.version")
local haproxyMajor = ____version.haproxyMajor
local ____rule_2Dtables = require("lua.rule-tables")
local largestTable = ____rule_2Dtables.largestTable
local ____runtime_2Dapi = require("lua.runtime-api")
local cliSucceeded = ____runtime_2Dapi.cliSucceeded
local hasMasterCli = ____runtime_2Dapi.hasMasterCli
local ____snapshot = require("lua.snapshot")
local snapshot = ____snapshot.snapshot
local ____state_2Dfiles = require("lua.state-files")
local readFrom = ____state_2Dfiles.readFrom
local replayCommands = ____state_2Dfiles.replayCommands
local Replayer = ____state_2Dfiles.Replayer
local runCliRetry = ____state_2Dfiles.runCliRetry
local snapshotWrittenAt = ____state_2Dfiles.snapshotWrittenAt
local ____slices = require("lua.slices")
local LOAD_SLICE_MS = ____slices.LOAD_SLICE_MS
local withSlices = ____slices.withSlices
--- Mark this process's rules as loaded (the ready key); says whether the runtime API took it.
function ____exports.openGate(settings)
    local res = runCliRetry(settings, {((((("set table " .. READY_TABLE) .. " key ") .. READY_KEY) .. " data.") .. CONTROL_FIELD) .. " 1"})
    if res.ok and cliSucceeded(res.output) then
        return true
    end
    inc("maintenance_errors")
    logEvent(core.err, "could not mark the rules as loaded", {{"detail", res.output}})
    return false
end
function loadState(m, reconciled)
    local now = core.now().sec
    local corrupt = 0
    local rep = __TS__New(Replayer, m.settings, now, reconciled)
    local commands = reconciled and ({used = false, corrupt = 0}) or replayCommands(m.settings, rep)
    corrupt = corrupt + commands.corrupt
    for ____, file in ipairs({SNAPSHOT_FILE, JOURNAL_OLD_FILE, JOURNAL_FILE}) do
        do
            if file == SNAPSHOT_FILE and commands.used then
                goto __continue25
            end
            local r = readFrom(
                path(m.settings, file),
                0,
                nil,
                rep
            )
            corrupt = corrupt + r.corrupt
            if file == JOURNAL_FILE then
                m.offset = r.offset
            end
        end
        ::__continue25::
    end
    logEvent(
        core.notice,
        "state loaded",
        {
            {
                "applied",
                itoa(rep.applied)
            },
            {
                "expired_skipped",
                itoa(rep.skipped)
            },
            {
                "corrupt",
                itoa(corrupt)
            },
            {"snapshot", commands.used and "commands" or "records"}
        }
    )
end
function upkeepStep(m)
    local settings = m.settings
    local now = core.now().sec
    if m.persist then
        flushBacklog(settings)
        local r = readFrom(
            path(settings, JOURNAL_FILE),
            m.offset,
            writer(),
            __TS__New(Replayer, settings, now, true)
        )
        m.offset = r.offset
        if r.offset > 0 then
            m.dirty = true
        end
    end
    local scale = math.max(
        1,
        math.floor(largestTable() / 100000)
    )
    if now - m.lastSweep >= settings.sweepInterval * scale then
        m.lastSweep = now
        m.pressure = sweep(settings, now, m.persist)
    end
    local expiryDue = m.nextExpiry > 0 and now >= m.nextExpiry
    local due = m.dirty or expiryDue
    local hurry = expiryDue and m.pressure and settings.onFull == "refuse"
    local spacing = hurry and settings.snapshotInterval or settings.snapshotInterval * scale
    if m.persist and due and now - m.lastSnapshot >= spacing and not isStopping() then
        m.lastSnapshot = now
        local done = snapshot(settings, now)
        if done ~= nil then
            if done.rotated then
                m.offset = 0
                m.dirty = false
            end
            m.nextExpiry = done.nextExpiry
        end
    end
end
--- The maintenance loop. Registered once per process (see main.ts).
function ____exports.maintenance(settings, beforeGate)
    local persist = #settings.stateDir > 0
    if os.getenv("HAPROXY_MWORKER") == "1" and not hasMasterCli() and haproxyMajor() < 3 then
        logEvent(core.warning, "master-worker mode without a master CLI: start haproxy with -S <socket> so that a reload cannot write rules into the old worker", {})
    end
    if persist then
        local problem = appendAll(
            path(settings, JOURNAL_FILE),
            ""
        )
        if problem ~= nil then
            inc("journal_errors")
            logEvent(core.alert, "state folder cannot be written: rules are kept in memory until it can, and do not survive a restart meanwhile", {{"dir", settings.stateDir}, {"detail", problem}})
        end
    end
    local m = {
        settings = settings,
        persist = persist,
        offset = 0,
        lastSweep = 0,
        lastSnapshot = 0,
        dirty = false,
        nextExpiry = 0,
        pressure = false
    }
    local clustered = #settings.clusterNode > 0
    if clustered and beforeGate ~= nil then
        beforeGate()
    end
    if persist then
        do
            local attempt = 1
            while true do
                local reconciled = clustered and largestTable() > 0
                local ok, err = pcall(function() return withSlices(
                    LOAD_SLICE_MS,
                    function() return loadState(m, reconciled) end
                ) end)
                if ok then
                    break
                end
                logEvent(
                    core.err,
                    "state load failed",
                    {
                        {
                            "attempt",
                            itoa(attempt)
                        },
                        {
                            "detail",
                            tostring(err)
                        }
                    }
                )
                if attempt >= 5 then
                    break
                end
                core.sleep(1)
                attempt = attempt + 1
            end
        end
    else
        logEvent(core.notice, "state loaded", {{"applied", "0"}, {"state_dir", "none"}})
    end
    local pressure = sweep(
        settings,
        core.now().sec,
        persist
    )
    local gateOpen = ____exports.openGate(settings)
    m.lastSweep = core.now().sec - settings.sweepInterval + 2
    m.pressure = pressure
    m.lastSnapshot = persist and snapshotWrittenAt(settings) or core.now().sec
    if persist then
        m.nextExpiry = core.now().sec
    end
    do
        while true do
            core.sleep(1)
            if not gateOpen then
                gateOpen = ____exports.openGate(settings)
            end
            if isStopping() then
                flushBacklog(settings)
                return
            end
            local ok, err = pcall(function() return upkeepStep(m) end)
            if not ok then
                inc("maintenance_errors")
                logEvent(
                    core.err,
                    "maintenance step failed",
                    {{
                        "detail",
                        tostring(err)
                    }}
                )
            end
        end
    end
end
return ____exports
 end,
["lua.main"] = function(...) 
local ____lualib = require("lualib_bundle")
local __TS__New = ____lualib.__TS__New
local ____exports = {}
local ____contract = require("core.contract")
local LUA_NAMES = ____contract.LUA_NAMES
local ____guard = require("lua.guard")
local guard = ____guard.guard
local learn = require("lua.learn")
local ____counters = require("lua.counters")
local inc = ____counters.inc
local generation = require("lua.generation")
local revalidate = require("lua.revalidate")
local probe = require("lua.probe")
local ____log = require("lua.log")
local configureLog = ____log.configureLog
local match = require("lua.match")
local metrics = require("lua.metrics")
local normalize = require("lua.normalize")
local ____settings_2Dloader = require("lua.settings-loader")
local loadSettings = ____settings_2Dloader.loadSettings
local ____persist = require("lua.persist")
local maintenance = ____persist.maintenance
local openGate = ____persist.openGate
local ____journal_2Dfile = require("lua.journal-file")
local flushBacklog = ____journal_2Dfile.flushBacklog
local ____ready = require("lua.ready")
local gateGivenUp = ____ready.gateGivenUp
local waitUntilReady = ____ready.waitUntilReady
local ____store = require("lua.store")
local openBackendMaps = ____store.openBackendMaps
local openGlobalMaps = ____store.openGlobalMaps
local ____cluster_2Dsync = require("lua.cluster-sync")
local catchUpFromPeers = ____cluster_2Dsync.catchUpFromPeers
local reassertDue = ____cluster_2Dsync.reassertDue
local SYNC_POLL_MS = ____cluster_2Dsync.SYNC_POLL_MS
local SYNC_WAIT_POLL_MS = ____cluster_2Dsync.SYNC_WAIT_POLL_MS
local SyncPoller = ____cluster_2Dsync.SyncPoller
local syncTable = ____cluster_2Dsync.syncTable
local settings = loadSettings()
configureLog(settings.logStream)
local maps = openGlobalMaps()
core.register_init(function() return openBackendMaps() end)
local nbthread = tonumber(core.get_info().Nbthread) or 1
local ctx = {settings = settings, maps = maps, rateShare = core.thread > 0 and nbthread or 1}
local poller
if core.thread <= 1 and #settings.clusterNode > 0 then
    core.register_init(function()
        local t = syncTable()
        if t ~= nil then
            poller = __TS__New(SyncPoller, settings, maps, t)
        end
    end)
end
local beforeGate = #settings.clusterNode > 0 and (function()
    if poller ~= nil then
        guard(
            "cluster_catch_up",
            function() return catchUpFromPeers(settings, poller) end,
            function() return nil end
        )
    end
end) or nil
if core.thread <= 1 then
    core.register_task(function()
        guard(
            "maintenance",
            function() return maintenance(settings, beforeGate) end,
            function()
                gateGivenUp()
                openGate(settings)
            end
        )
    end)
end
if #settings.clusterNode > 0 then
    core.register_task(function()
        do
            while true do
                local waiting = poller ~= nil and guard(
                    "cluster_sync",
                    function() return poller:step() end,
                    function() return false end
                )
                guard(
                    "cluster_reassert",
                    function() return reassertDue(settings) end,
                    function() return nil end
                )
                core.msleep(waiting == true and SYNC_WAIT_POLL_MS or SYNC_POLL_MS)
            end
        end
    end)
end
if core.thread > 1 and #settings.stateDir > 0 then
    core.register_task(function()
        do
            while true do
                core.sleep(1)
                guard(
                    "journal_retry",
                    function() return flushBacklog(settings) end,
                    function() return nil end
                )
            end
        end
    end)
end
core.register_action(
    LUA_NAMES.learn,
    {"http-res"},
    function(txn, mode) return guard(
        "learn",
        function() return learn.execute(ctx, txn, mode) end,
        function() return learn.publish(txn, "rejected", "edge-error") end
    ) end,
    1
)
core.register_action(
    LUA_NAMES.generation,
    {"http-res"},
    function(txn, mode) return guard(
        "generation",
        function() return generation.execute(settings, maps, txn, mode) end,
        function() return nil end
    ) end,
    1
)
core.register_action(
    LUA_NAMES.revalidate,
    {"http-res"},
    function(txn, onHop) return guard(
        "revalidate",
        function() return revalidate.execute(settings, txn, onHop) end,
        function() return nil end
    ) end,
    1
)
core.register_action(
    LUA_NAMES.wait,
    {"http-req"},
    function(txn) return guard(
        "wait",
        function() return waitUntilReady(txn) end,
        function() return nil end
    ) end,
    0
)
core.register_action(
    LUA_NAMES.match,
    {"http-req"},
    function(txn, which) return guard(
        "match",
        function() return match.execute(txn, which) end,
        function() return nil end
    ) end,
    1
)
core.register_service(
    LUA_NAMES.metrics,
    "http",
    function(applet) return guard(
        "metrics",
        function() return metrics.execute(applet, maps) end,
        function()
            applet:set_status(500)
            applet:start_response()
            applet:send("edgeblock metrics failed; see HAProxy's log\n")
        end
    ) end
)
core.register_converters(
    LUA_NAMES.probe,
    function(value, backend, rate, every) return guard(
        "probe",
        function() return probe.enqueue(value, backend, rate, every) end,
        function() return value end
    ) end
)
core.register_task(function() return probe.run(settings, maps) end)
core.register_converters(
    LUA_NAMES.count,
    function(value, name) return guard(
        "count",
        function()
            inc(name)
            return value
        end,
        function() return value end
    ) end
)
core.register_converters(
    LUA_NAMES.normalize,
    function(value) return guard(
        "normalize",
        function() return normalize.execute(settings, value) end,
        function() return value end
    ) end
)
return ____exports
 end,
}
local ____entry = require("lua.main", ...)
return ____entry
