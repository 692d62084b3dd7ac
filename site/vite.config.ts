// Vite config of the study site: `npm run site` (dev server on 127.0.0.1),
// `npm run build` (static site into site/dist). The pages come from the
// plugin in generator/plugin.ts; the two scripts are bundled with the kernel
// model (kernel/, explorer/, scenarios/ are browser-safe).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { study_site_pages } from './generator/plugin.ts';

const site_root = dirname(fileURLToPath(import.meta.url));
const repo_root = resolve(site_root, '..');

export default defineConfig({
  root: site_root,
  base: './',
  publicDir: false,
  appType: 'mpa',
  logLevel: 'warn',
  plugins: [study_site_pages(repo_root, site_root)],
  server: { host: '127.0.0.1', fs: { allow: [repo_root] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: resolve(site_root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rollupOptions: {
      input: { site: resolve(site_root, 'src/site.ts'), playground: resolve(site_root, 'src/playground.ts') },
      output: { entryFileNames: 'assets/[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});
