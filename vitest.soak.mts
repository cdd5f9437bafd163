import { defineConfig } from "vitest/config";

// `npm run soak`: the hostile scenarios of issue 15 under load, each bounded by SOAK_SECONDS (not part of npm test)
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.ts"],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
