/** Converter for request paths that the native fast-path ACL could not prove canonical. */
import { lookupKeyForPath } from "../core/path";
import { Settings } from "../core/settings";

export function execute(settings: Settings, value: string): string {
  return lookupKeyForPath(value, settings);
}
