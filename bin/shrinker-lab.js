#!/usr/bin/env node
// The `shrinker-lab` command (package.json "bin"; `npm start` runs `watch`).
// The course is TypeScript run as is: tsx's loader is registered in this
// process, then the command itself is imported.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
