import type { Mode, Strategy } from '../types.js';
import { asyncStrategy } from './async.js';
import { sequential } from './sequential.js';
import { threads } from './threads.js';

export const strategies: Record<Mode, Strategy> = { sequential, async: asyncStrategy, threads };
