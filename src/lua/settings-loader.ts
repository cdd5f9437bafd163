/** Load edgeblock settings at Lua load time from the file named by $EDGEBLOCK_SETTINGS. */
import { SETTINGS_ENV } from "../core/contract";
import { parseSettings, Settings } from "../core/settings";

/**
 * The settings, or an error that stops HAProxy's start (or reload) with the reason: blocks.lua never runs
 * on settings it could not read, and a request is never held for a maintenance task that does not exist.
 */
export function loadSettings(): Settings {
  const path = os.getenv(SETTINGS_ENV);
  if (path === undefined || path === "") {
    error("edgeblock: " + SETTINGS_ENV + " is not set: add `setenv " + SETTINGS_ENV + " <file>` to the global section", 0);
  }
  const [file, err] = io.open(path, "r");
  if (file === undefined) error("edgeblock: cannot read the settings file " + path + ": " + tostring(err), 0);
  const text = file.read("a");
  file.close();
  const parsed = parseSettings(text === undefined ? "" : text);
  if (!parsed.ok) error("edgeblock: settings file " + path + ": " + parsed.errors.join("; "), 0);
  return parsed.settings;
}
