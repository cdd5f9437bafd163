/** Load edgeblock settings at Lua load time from the file named by $EDGEBLOCK_SETTINGS. */
import { SETTINGS_ENV } from "../core/contract";
import { DEFAULT_SETTINGS, parseSettings, Settings } from "../core/settings";

export interface LoadedSettings {
  readonly settings: Settings;
  /** Empty when the file was read and valid. Learning is disabled otherwise (fail-open). */
  readonly errors: readonly string[];
}

export function loadSettings(): LoadedSettings {
  const path = os.getenv(SETTINGS_ENV);
  if (path === undefined || path === "") {
    return { settings: DEFAULT_SETTINGS, errors: [SETTINGS_ENV + " is not set (add `setenv " + SETTINGS_ENV + " <file>` to global)"] };
  }
  const [file, err] = io.open(path, "r");
  if (file === undefined) return { settings: DEFAULT_SETTINGS, errors: ["cannot read " + path + ": " + tostring(err)] };
  const text = file.read("a");
  file.close();
  const parsed = parseSettings(text === undefined ? "" : text);
  if (!parsed.ok) return { settings: DEFAULT_SETTINGS, errors: parsed.errors };
  return { settings: parsed.settings, errors: [] };
}
