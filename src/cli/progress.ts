// Terminal progress for local training: epoch, step, loss, accuracy and time left.
import cliProgress from 'cli-progress';
import type { TrainingEvent } from '../core/training/metrics.js';

export interface Progress {
  event(e: TrainingEvent): void;
  stop(): void;
}

export function createProgress(totalSteps: number, stepsPerEpoch: number, totalEpochs: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {ep}/{epochs} |{bar}| step {value}/{total} | loss {loss} | val acc {acc} | {eta_formatted} left',
      barsize: 24,
      hideCursor: true,
      etaBuffer: 200,
      fps: 5,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 10_000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalSteps, 0, { ep: 1, epochs: totalEpochs, loss: '-', acc: '-' });
  return {
    event(e) {
      if (e.kind === 'step') bar.update(e.step, { ep: Math.min(totalEpochs, Math.floor((e.step - 1) / stepsPerEpoch) + 1) });
      else if (e.kind === 'eval') bar.update({ loss: e.point.train.loss.toFixed(3), acc: `${(100 * e.point.validation.accuracy).toFixed(1)}%` });
    },
    stop() {
      bar.stop();
    },
  };
}
