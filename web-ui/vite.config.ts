/// <reference types="vitest/config" />
import { existsSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The offline stack whose /config.json the dev server (`make web`) proxies.
// Its API, Cognito and chat answer this origin because the stack allows
// the dev server's origin in CORS (local/internal/stack).
const stack = process.env.ONAIR_STACK_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  // amazon-ivs-player (through a dependency) reads Node's `global`.
  define: { global: 'globalThis' },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.ONAIR_WEB_PORT ?? 5173),
    strictPort: true,
    // public/config.json (make web-config) points the dev server at a
    // deployed stack; without it the offline stack's configuration is used.
    proxy: existsSync('public/config.json') ? undefined : { '/config.json': { target: stack, changeOrigin: true } },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The IVS player SDK is large (its wasm worker is fetched separately);
    // it is only loaded by the channel page's player chunk.
    chunkSizeWarningLimit: 1200,
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    restoreMocks: true,
  },
});
