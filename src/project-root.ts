import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The project folder, whether this runs from src/ (tests) or dist/src/ (built). */
export const PROJECT_ROOT = resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
