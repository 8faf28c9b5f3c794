/** Builds the web UI into dist/ui, which `moroccron serve` serves at `/`. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // Source maps help when a browser test reports an error; they are fetched only by dev tools.
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config ui/vite.config.ts`: the dev server, against `moroccron serve` on :8080
    // (or MOROCCRON_URL).
    proxy: Object.fromEntries(['/api', '/metrics', '/openapi.json'].map((path) => [path, process.env.MOROCCRON_URL ?? 'http://127.0.0.1:8080'])),
  },
});
