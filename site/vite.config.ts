// Vite config of the study site: `npm run site` (dev server on 127.0.0.1),
// `npm run build` (static site into site/dist). The pages come from the
// plugin in generator/plugin.ts; the two scripts are bundled with the kernel
// model (kernel/, explorer/, scenarios/ are browser-safe).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { frame_map } from './generator/frame_map_plugin.ts';
import { study_site_pages } from './generator/plugin.ts';
import { scenario_index_module } from './generator/scenario_index_plugin.ts';

const site_root = dirname(fileURLToPath(import.meta.url));
const repo_root = resolve(site_root, '..');

export default defineConfig({
  root: site_root,
  base: './',
  publicDir: false,
  appType: 'mpa',
  logLevel: 'warn',
  plugins: [study_site_pages(repo_root, site_root), frame_map(repo_root), scenario_index_module(repo_root)],
  server: { host: '127.0.0.1', fs: { allow: [repo_root] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: resolve(site_root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    // The maps feed assets/frames.json (generator/frame_map_plugin.ts), which lets
    // the playground's lanes name the model's file:line; the maps are not shipped.
    sourcemap: 'hidden',
    rollupOptions: {
      // The playground takes only each check suite's declared `scenarios`
      // (playground_core.ts imports nothing else of a suite): the checks
      // themselves, their golden data and the workload generators they call
      // never run in the browser. These wrappers return the suite they are
      // given (define_checks also checks its ids, which the node tests do),
      // so marking them pure drops an unused `export default define_checks(...)`
      // and whatever only it uses. Measured on the built site: 807 KB of JS
      // in all before, 355 KB after (fast-check, used through its namespace
      // in course/workload.ts, is shaken to what the declarations build).
      treeshake: { manualPureFunctions: ['define_checks', 'refuse_kernel_object_state', 'refuse_the_model_lock'] },
      input: { site: resolve(site_root, 'src/site.ts'), playground: resolve(site_root, 'src/playground.ts') },
      output: {
        // Function names stay (a call trace names each frame by its function, as
        // the kernel's does); everything else is minified. Measured: +44 KB of JS.
        minify: { compress: { keepNames: { function: true, class: false } }, mangle: { keepNames: { function: true, class: false } } },
        entryFileNames: 'assets/[name].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
