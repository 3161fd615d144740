import { performance } from 'node:perf_hooks';
import { MultiBar, Presets } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { trainDefaults } from '../../train/defaults';
import { optimizerNames } from '../../train/optimizers';
import type { EpochReport, TrainOptions } from '../../train/index';

/**
 * `npx onnxless train`: train a dense regression network (built-in synthetic task or a CSV),
 * export it as ONNX with its loss curve beside it. Defaults are the product's example.
 */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a dense regression network and export it to ONNX (plus a loss-curve SVG beside it)')
    .requiredOption('--out <file>', 'model file to write, e.g. model.onnx; the loss curve goes to <name>.loss.svg')
    .option('--layers <widths>', 'widths from input to output, comma-separated', parseWidths, [...trainDefaults.layers])
    .option('--optimizer <name>', `one of ${optimizerNames.join(', ')}`, trainDefaults.optimizer)
    .option('--lr <rate>', 'learning rate', parseNumber('--lr'), trainDefaults.learningRate)
    .option('--epochs <n>', 'passes over the training set', parseInteger('--epochs'), trainDefaults.epochs)
    .option('--batch-size <n>', 'samples per step for minibatch and adam (default 32)', parseInteger('--batch-size'))
    .option('--data <file.csv>', 'CSV with a header row (default: built-in synthetic regression task)')
    .option('--targets <columns>', 'CSV target columns, comma-separated (default: the last <output width> columns)', parseList)
    .option('--seed <n>', 'seed for data, split, initialisation and shuffling', parseInteger('--seed'), trainDefaults.seed)
    .option('--relu', 'ReLU between the Linear layers', trainDefaults.relu)
    .option(
      '--validation-fraction <f>',
      'share of samples held out for validation',
      parseNumber('--validation-fraction'),
      trainDefaults.validationFraction,
    )
    .option('--samples <n>', 'synthetic task: number of samples', parseInteger('--samples'), trainDefaults.samples)
    .action(async (flags: TrainFlags) => {
      await runTrain({
        out: flags.out,
        layers: flags.layers,
        optimizer: flags.optimizer,
        learningRate: flags.lr,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        data: flags.data,
        targets: flags.targets,
        seed: flags.seed,
        relu: flags.relu,
        validationFraction: flags.validationFraction,
        samples: flags.samples,
      });
    });
}

interface TrainFlags {
  out: string;
  layers: number[];
  optimizer: string;
  lr: number;
  epochs: number;
  batchSize?: number;
  data?: string;
  targets?: string[];
  seed: number;
  relu: boolean;
  validationFraction: number;
  samples: number;
}

/** How many epoch lines to print: about ten, plus the first and the last. */
const epochLines = 10;

async function runTrain(options: TrainOptions): Promise<void> {
  const started = performance.now();
  const progress = new EpochProgress();
  // Loaded here, not at the top: the trainer and its ONNX exporter (onnx-proto) are only needed
  // when `train` runs, never for `serve` or `--help`.
  const { trainAndExport } = await import('../../train/trainAndExport');
  try {
    const result = await trainAndExport(options, {
      onStart: (run) => {
        const o = options;
        progress.log(
          `training ${(o.layers ?? trainDefaults.layers).join('-')}${o.relu ? ' with ReLU' : ''} on ${run.data === 'synthetic' ? 'the synthetic task' : run.data}: ` +
            `${run.trainCount} train / ${run.validationCount} validation samples; ` +
            `${o.optimizer ?? trainDefaults.optimizer} lr ${o.learningRate ?? trainDefaults.learningRate}, batch ${run.batchSize}, ` +
            `${o.epochs ?? trainDefaults.epochs} epochs, seed ${o.seed ?? trainDefaults.seed}`,
        );
      },
      onEpoch: (report) => progress.epoch(report),
    });
    progress.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `validation MSE ${formatLoss(result.finalValidationLoss)} (train MSE ${formatLoss(result.finalTrainLoss)}) after ${result.options.epochs} epochs, ${seconds} s`,
    );
    console.log(`model:      ${result.modelPath}`);
    console.log(`loss curve: ${result.lossCurvePath}`);
  } finally {
    progress.stop();
  }
}

/**
 * A progress bar on stderr when it is a terminal, with loss lines printed above it; in a pipe or
 * CI log, only the lines (a bar there is just noise).
 */
class EpochProgress {
  private readonly bars = process.stderr.isTTY
    ? new MultiBar(
        { format: ' {bar} {value}/{total} epochs | train {train} | val {val} | ETA {eta_formatted}', hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  private bar: ReturnType<MultiBar['create']> | undefined;
  private stopped = false;

  log(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else console.log(line);
  }

  epoch(report: EpochReport): void {
    const payload = { train: formatLoss(report.trainLoss), val: formatLoss(report.validationLoss) };
    if (this.bars) {
      this.bar ??= this.bars.create(report.epochs, 0, payload);
      this.bar.update(report.epoch, payload);
    }
    const every = Math.max(1, Math.round(report.epochs / epochLines));
    if (report.epoch === 1 || report.epoch % every === 0 || report.epoch === report.epochs) {
      const width = String(report.epochs).length;
      this.log(`epoch ${String(report.epoch).padStart(width)}/${report.epochs}  train MSE ${payload.train}  val MSE ${payload.val}`);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bars?.stop();
  }
}

function formatLoss(loss: number): string {
  return loss.toPrecision(6);
}

function parseWidths(value: string): number[] {
  const widths = parseList(value).map(Number);
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new InvalidArgumentError('expected at least two positive integers from input to output width, e.g. 10,20,10');
  }
  return widths;
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number, got '${value}'`);
    return n;
  };
}

function parseInteger(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${flag} expects an integer, got '${value}'`);
    return n;
  };
}
