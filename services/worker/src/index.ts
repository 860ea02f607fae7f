export { type WorkerConfig, workerConfigSchema } from './config.js';
export { type IncompleteUpload, listIncompleteUploads } from './storage/incomplete-uploads.js';
export { startWorkerApp, type WorkerApp } from './worker-app.js';
