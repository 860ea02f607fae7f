export { type WorkerConfig, workerConfigSchema } from './config.js';
export { startWorkerApp, type WorkerApp } from './worker-app.js';
