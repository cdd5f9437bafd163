import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // integration tests start real HAProxy processes; keep them from fighting over 2 cores
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
