import os from 'node:os';

/** CPU seconds that the whole machine spent in user and kernel mode, from `os.cpus()`. */
function machineBusySeconds(): number {
  let milliseconds = 0;
  for (const cpu of os.cpus()) {
    milliseconds += cpu.times.user + cpu.times.nice + cpu.times.sys;
  }
  return milliseconds / 1000;
}

function processBusySeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Estimates how much CPU other processes took during a phase: the machine's busy time minus this
 * process (its thread pool included) and the load worker. A share near 0 means the phase had the
 * cores to itself. Other work on the machine lowers throughput and raises latency.
 */
export class CpuMeter {
  private readonly machineStart = machineBusySeconds();
  private readonly processStart = processBusySeconds();
  private readonly started = performance.now();

  /** Returns the other processes' share of all cores (0 to 1) since the meter was created. */
  otherProcessesShare(workerCpuSeconds = 0): number {
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    const machine = machineBusySeconds() - this.machineStart;
    const ours = processBusySeconds() - this.processStart + workerCpuSeconds;
    const share = (machine - ours) / (elapsedSeconds * os.availableParallelism());
    return Math.max(0, share);
  }
}
