import type { AppServices } from '../context.js';
import { trainingDatasetSource } from '../datasets/forTraining.js';
import { attachTraining } from './registry.js';
import { TrainingSupervisor } from './supervisor.js';

/** Creates the training supervisor of a server with the timing from its config. */
export function createTraining(services: AppServices): TrainingSupervisor {
  const supervisor = new TrainingSupervisor(services, services.config.training);
  supervisor.useDatasetSource(trainingDatasetSource(services));
  attachTraining(services, supervisor);
  return supervisor;
}

/** Closes the supervisor before the database closes; a failure is logged, not thrown. */
export async function closeTraining(services: AppServices, supervisor: TrainingSupervisor) {
  try {
    await supervisor.close();
  } catch (error) {
    services.logger.error({ err: error }, 'closing the training supervisor failed');
  }
}
