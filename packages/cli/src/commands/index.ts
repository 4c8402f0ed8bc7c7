import type { Command } from '../command.ts';
import { modelsList } from './models.ts';
import { report } from './report.ts';
import { check } from './check.ts';
import { modelsSynth } from './synth.ts';
import { score } from './score.ts';
import { modelsFetch } from './fetch.ts';
import { modelsVerify } from './verify.ts';
import { backendsCommand } from './backends.ts';
import { evalCommand } from './eval.ts';
import { datasetsList, datasetsVerify } from './datasets.ts';
import { mergeCommand } from './merge.ts';
import { embedCommand } from './embed.ts';
import { preprocess } from './preprocess.ts';
import { modelsConvert } from './convert.ts';
import { detect } from './detect.ts';
import { bench } from './bench.ts';
import { runCommand } from './run.ts';

/** Every command of the CLI. Each lives in its own module and only calls into the packages. */
export const COMMANDS: readonly Command[] = [modelsList, modelsSynth, score, modelsFetch, modelsVerify, backendsCommand, report, check, preprocess, evalCommand, datasetsList, datasetsVerify, mergeCommand, embedCommand, modelsConvert, detect, bench, runCommand];
