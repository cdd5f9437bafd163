import fc from "fast-check";

/** Strings of raw bytes (chars 0..255): what a Lua string can hold. */
export function byteString(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });
}
