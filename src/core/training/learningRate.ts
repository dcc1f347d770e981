// Learning-rate schedules of the reports: constant, step decay per epoch, and cyclical
// (linear rise from etaMin to etaMax over stepSize updates, linear fall over the next stepSize).
import type { ScheduleSpec } from '../../experiment/experimentSpec.js';

/** The learning rate of update t (0-based). */
export function learningRate(schedule: ScheduleSpec, t: number, stepsPerEpoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return schedule.eta;
    case 'stepDecay':
      return schedule.eta * Math.pow(schedule.decay, Math.floor(t / stepsPerEpoch));
    case 'cyclical': {
      const ns = schedule.stepSize;
      const c = t % (2 * ns);
      const span = schedule.etaMax - schedule.etaMin;
      return c <= ns ? schedule.etaMin + (c / ns) * span : schedule.etaMax - ((c - ns) / ns) * span;
    }
  }
}
