export {
  jobIdForTask,
  QueueName,
  queueForTaskType,
  type TaskJobPayload,
  taskJobOptions,
  taskJobPayload,
} from './catalog.js';
export { createRedisConnection, type RedisRole } from './redis-connection.js';
