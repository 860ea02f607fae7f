import { z } from 'zod';

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
};

/**
 * A contract schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), describing what a client SENDS (`io: input`):
 * defaults are documented and optional fields stay optional. `$schema` is dropped: the document declares its own.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return json;
}

/** One OpenAPI query parameter per property of a contract query schema, in the schema's order. */
export function queryParametersOf(schema: z.ZodObject): Record<string, unknown>[] {
  const json = jsonSchemaOf(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      ...(description === undefined ? {} : { description }),
      schema: propertySchema,
    };
  });
}
