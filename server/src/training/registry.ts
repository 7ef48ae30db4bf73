import type { AppServices } from '../context.js';
import type { TrainingSupervisor } from './supervisor.js';

const supervisors = new WeakMap<AppServices, TrainingSupervisor>();

/** Links a server's services to its training supervisor, for the training routes. */
export function attachTraining(services: AppServices, supervisor: TrainingSupervisor): void {
  supervisors.set(services, supervisor);
}

/** Returns the training supervisor of a server's services. */
export function trainingOf(services: AppServices): TrainingSupervisor {
  const supervisor = supervisors.get(services);
  if (supervisor === undefined) {
    throw new Error('The training supervisor was not started with this server.');
  }
  return supervisor;
}
