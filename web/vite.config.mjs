// Vite configuration for the Kadam browser UI.
// Build: `npm run build` writes web/dist, which `kadam serve --ui-dir web/dist` serves.
// The server sends a strict Content-Security-Policy (no inline scripts or styles), so the
// build must emit only external <script src> and <link rel="stylesheet"> tags:
// no module-preload polyfill, no inlined assets.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm exec vite` (dev server) forwards the API to a running `kadam serve`.
const api = process.env.KADAM_API || 'http://127.0.0.1:8080';
const proxy = { '/api': api, '/healthz': api };

export default defineConfig({
  root,
  base: '/',
  plugins: [preact({ prerender: { enabled: false } })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
  },
  server: { proxy },
  preview: { proxy },
});
