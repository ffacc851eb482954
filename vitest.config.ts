import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The public types' assertions (expectTypeOf, @ts-expect-error) are checked by tsc as part of the suite.
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
