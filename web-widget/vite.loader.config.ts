import { defineConfig } from 'vite';
import { sizeBudget } from './build/budget.js';

// The loader: one small IIFE file (dist/widget.js) that a centre's site includes with one script tag.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    target: 'es2018',
    lib: { entry: 'src/loader/loader.ts', formats: ['iife'], name: 'HelplineWidget', fileName: () => 'widget.js' },
  },
  plugins: [sizeBudget('widget loader', 3 * 1024)],
});
