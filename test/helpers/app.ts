/**
 * A backend in the test's own process, for tests that change what it answers mid-test (a deploy): each
 * test subclasses it with its `answer`. Every request is counted by path; `stop()` closes it; the
 * module closes every one it started after the test file.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { afterAll } from "vitest";

const running = new Set<App>();
afterAll(async () => {
  for (const a of running) await a.stop();
});

export abstract class App {
  hits: Record<string, number> = {};
  private server = http.createServer((req, res) => {
    const p = (req.url ?? "/").split("?")[0];
    this.hits[p] = (this.hits[p] ?? 0) + 1;
    this.answer(req, res, p);
  });

  /** Write the answer to a request for path `p`. */
  protected abstract answer(req: http.IncomingMessage, res: http.ServerResponse, p: string): void;

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    running.add(this);
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    if (!running.delete(this)) return Promise.resolve();
    return new Promise((r) => this.server.close(() => r()));
  }
}
