import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built files are embedded in the desktop binary (src-tauri/tauri.conf.json): no dev
// server, no remote origins. CSS goes to files, never inline, for the strict CSP.
export default defineConfig({
  plugins: [svelte({ compilerOptions: { css: 'external' } })],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari15',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // pdf.js (the blankett viewer) is one lazily loaded chunk of its own, over the default 500 kB.
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
