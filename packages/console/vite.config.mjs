// The console is a static bundle: index.html + one script + one stylesheet, served by review-queue at
// `/` (services/review-queue/src/http/static.ts). Type checking is `tsc -p tsconfig.json` (see the
// package's generate script); Vite only bundles and minifies.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
