import { defineConfig } from 'vite';

// In development the gateway serves /api and /ws; the dev server forwards to it so cookies stay same-origin.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  // No source maps in the build the gateway serves: they would publish the source. `vite` (dev) keeps its own.
  build: { outDir: 'dist', target: 'es2022', sourcemap: false },
  server: {
    proxy: {
      '/api': gateway,
      '/ws': { target: gateway, ws: true },
    },
  },
});
