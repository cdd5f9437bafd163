/** A file written in full or not at all: every write checked, then flushed, closed and its size verified. */
import { itoa } from "../core/bytes";

type Result = LuaMultiReturn<[true] | [undefined, string]>;
/** Lua's file methods as they are (luaL_fileresult: true, or nil and a message); lua-types types flush and close as boolean. */
export interface CheckedLuaFile {
  write(text: string): LuaMultiReturn<[LuaFile] | [undefined, string]>;
  flush(): Result;
  close(): Result;
}

export class CheckedFile {
  private f: CheckedLuaFile | undefined;
  private error: string | undefined;
  private bytes = 0;

  constructor(private readonly file: string) {
    const [f, err] = io.open(file, "w");
    if (f === undefined) this.error = "open: " + tostring(err);
    else this.f = f as unknown as CheckedLuaFile;
  }

  /** Buffered: a full disk may only show at a later write, the flush or the close. */
  write(text: string): void {
    if (this.f === undefined || this.error !== undefined) return;
    const [ok, err] = this.f.write(text);
    if (ok === undefined) this.error = "write: " + tostring(err);
    else this.bytes = this.bytes + text.length;
  }

  /** Bytes written so far (what finish() checks the file's size against). */
  written(): number {
    return this.bytes;
  }

  /** Close the file; undefined when every byte is on disk, else what went wrong. */
  finish(): string | undefined {
    const f = this.f;
    this.f = undefined;
    if (f === undefined) return this.error;
    if (this.error === undefined) {
      const [ok, err] = f.flush();
      if (ok === undefined) this.error = "flush: " + tostring(err);
    }
    const [closed, cerr] = f.close();
    if (this.error === undefined && closed === undefined) this.error = "close: " + tostring(cerr);
    if (this.error !== undefined) return this.error;
    const [r] = io.open(this.file, "r");
    if (r === undefined) return "reopen failed";
    const [size] = r.seek("end");
    r.close();
    if (size !== this.bytes) return "size " + tostring(size) + " on disk, " + itoa(this.bytes) + " written";
    return undefined;
  }
}
