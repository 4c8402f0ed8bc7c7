export * from './browser.ts';
export * from './decode.ts';
