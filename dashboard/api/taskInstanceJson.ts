import { waitJson } from '../../engine/index.js';
import type { TaskInstanceDetail } from '../engine.js';

/**
 * A task instance as the API answers it, in a run's list and alone: the engine's row with why it
 * waits (`waiting`: kind, message and the numbers behind it, see `waitJson`) and that message
 * alone (`waiting_reason`).
 */
export function taskInstanceJson(ti: TaskInstanceDetail) {
  return { ...ti, waiting: waitJson(ti.waiting) };
}
