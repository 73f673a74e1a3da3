import { defineConfig } from 'vite';
import { sizeBudget } from './build/budget.js';

// The widget app, loaded in the platform's iframe at /widget/. Everything it loads (socket client
// included) must stay under 60 KB gzipped. The loader has its own config (vite.loader.config.ts).
export default defineConfig({
  base: '/widget/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2020',
    modulePreload: { polyfill: false },
  },
  plugins: [sizeBudget('widget app', 60 * 1024)],
});
