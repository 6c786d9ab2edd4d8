/**
 * Where the installed models are: --models DIR, else $SPV_MODELS_DIR, else the `models/` folder
 * of the installation (found upward from the running script, so `npx spv` works from any folder),
 * else ./models.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function findModelsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.SPV_MODELS_DIR) return resolve(process.env.SPV_MODELS_DIR);
  let dir = dirname(resolve(process.argv[1] ?? '.'));
  for (;;) {
    if (existsSync(join(dir, 'models', 'manifest.json'))) return join(dir, 'models');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve('models');
}
