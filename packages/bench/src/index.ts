// Public API of the bench package. Importing it registers the browser-* backends with core.
import './browser/register.ts';

export { BrowserBackend, BrowserSession, browserWasm, browserWebgpu, type BrowserFlavour } from './browser/backend.ts';
export { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from './browser/chromium.ts';
export type { AdapterInfo } from './browser/page/api.ts';
export { DEFAULT_LOOP, type LoopOptions, type LoopResult, latencyStats, quantile, timeLoop } from './timing.ts';
export { decodeTensors, encodeTensors } from './wire.ts';
export { type BenchInputs, type BenchModel, type BenchPlan, type BenchRowWithSamples, type RowEvent, DEFAULT_BACKENDS, THREADED_BACKENDS, runBench } from './runner.ts';
export { benchProvenance } from './environment.ts';
export { benchModel, benchModels } from './models.ts';
export { imageInputs, sampleImagePath } from './inputs.ts';
export { CALIBRATION_ID, calibrationBytes, calibrationModel } from './calibration.ts';
