export { describeContractIssue, parseContract } from './describe-issue.js';
export { type ErrorBody, errorBody } from './error-body.js';
export {
  DEFAULT_LIMIT,
  IMAGE_LIST_STATUSES,
  IMAGE_SORT_KEYS,
  type ImageListQuery,
  imageListQuery,
  MAX_LIMIT,
  SORT_DIRS,
  type SortDir,
  TASK_SORT_KEYS,
  TASK_STATUSES,
  type TaskListQuery,
  taskListQuery,
} from './list-queries.js';
export {
  importLocationProblem,
  isUuid,
  isValidBucketPrefix,
  isValidContainerName,
  MAX_BUCKET_NAME_LENGTH,
  parseContainerPath,
  UUID_PATTERN,
  unsupportedImageProperties,
  uuid,
} from './rules.js';
export {
  type ExportTaskInput,
  exportTaskInput,
  type ImportTaskInput,
  importTaskInput,
  TASK_TYPES,
  type TaskCreateBody,
  taskCreateBody,
  taskInputSchemas,
} from './task-create.js';
export type { TaskProgressView, TaskView } from './task-view.js';
