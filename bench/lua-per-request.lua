-- Reference point for the benchmark, not part of edgeblock: a Lua action on every request that
-- looks the path up, the way CrowdSec's HAProxy Lua bouncer looks the client up on every request
-- (a HAProxy Map opened with Map.new, `map:lookup()` in an http-req action, the verdict published
-- as a variable that haproxy.cfg acts on), and that learns with core.set_map from a response.
-- The map file comes from the environment (setenv EB_REF_MAP in haproxy.cfg).
local file = os.getenv("EB_REF_MAP")
local rules = Map.new(file, Map._str)

core.register_action("ref_check", { "http-req" }, function(txn)
  local path = txn.f:path()
  txn:set_var("txn.ref_path", path)
  local status = rules:lookup(path)
  if status ~= nil then txn:set_var("txn.ref_status", tonumber(status)) end
end, 0)

core.register_action("ref_learn", { "http-res" }, function(txn)
  local v = txn.http:res_get_headers()["x-edge-resource"]
  local path = txn:get_var("txn.ref_path")
  if v ~= nil and v[0] == "false" and path ~= nil then core.set_map(file, path, "404") end
end, 0)
