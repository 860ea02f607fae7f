export { type RunningApi, startApi } from './api-server.js';
export { type AppDeps, createApp } from './app.js';
export { type ApiConfig, apiConfigSchema } from './config.js';
