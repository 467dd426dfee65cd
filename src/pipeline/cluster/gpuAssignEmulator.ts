// Old path of the float32 emulation, kept only for src/pipeline/runner/clusterJob.test.ts until its
// import moves to ./gpu/emulate.ts; nothing else imports it.
export { createEmulatedGpuAssigner, type EmulatorOptions } from './gpu/emulate';
