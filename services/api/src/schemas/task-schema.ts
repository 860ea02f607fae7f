/**
 * JSON Schemas of the task resource as glanceclient consumes them: it builds warlock models from
 * /v2/schemas/task and validates every task it receives, so EVERY field the API can return is declared here,
 * with a type admitting every value actually sent (`additionalProperties: false` makes drift fail loudly in the
 * glanceclient test). No `required`: the client validates a half-built model while constructing a request.
 */
const timestamp = { type: 'string', description: 'UTC, YYYY-MM-DDTHH:MM:SSZ' } as const;

const stubProperties = {
  id: {
    type: 'string',
    description: 'An identifier for the task',
    pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
  },
  type: {
    type: 'string',
    description: 'The type of task represented by this content',
    enum: ['import', 'export'],
  },
  status: {
    type: 'string',
    description: 'The current status of this task',
    enum: ['pending', 'processing', 'success', 'failure'],
  },
  owner: { type: 'string', description: 'The tenant that owns the task' },
  progress: {
    type: ['null', 'object'],
    description: 'Extension: how far a processing task has got. Present only while processing.',
    properties: {
      stage: { type: 'string' },
      bytes_done: { type: 'integer', minimum: 0 },
      bytes_total: { type: ['null', 'integer'] },
      percent: { type: ['null', 'number'] },
    },
    additionalProperties: false,
  },
  expires_at: {
    ...timestamp,
    type: ['null', 'string'],
    description: 'When the task resource expires (terminal tasks)',
  },
  created_at: { ...timestamp, description: 'When the task was created' },
  updated_at: { ...timestamp, description: 'When the task was last updated' },
  self: { type: 'string' },
  schema: { type: 'string' },
} as const;

export const taskSchema = {
  name: 'task',
  properties: {
    ...stubProperties,
    input: { type: ['null', 'object'], description: 'The parameters required by the task' },
    result: { type: ['null', 'object'], description: 'The result of a successful task' },
    message: { type: 'string', description: '"None", or why the task failed' },
  },
  additionalProperties: false,
  links: [
    { rel: 'self', href: '{self}' },
    { rel: 'describedby', href: '{schema}' },
  ],
} as const;

export const tasksSchema = {
  name: 'tasks',
  properties: {
    tasks: {
      type: 'array',
      items: { name: 'task', properties: stubProperties, additionalProperties: false },
    },
    first: { type: 'string' },
    next: { type: 'string' },
    schema: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
} as const;
