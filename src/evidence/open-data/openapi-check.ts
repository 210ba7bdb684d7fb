import type { JsonType, SchemaObject } from './openapi.ts';

/**
 * Checks a JSON value against one of our own schema objects: types (with null where allowed), required
 * properties, enums, patterns, array items and references. Only the parts of JSON Schema that openapi.ts
 * uses, so that the tests prove our answers match what we publish without a validator library.
 * Returns every problem, each with the path to the value.
 */
export function schemaProblems(
  value: unknown,
  schema: SchemaObject,
  schemas: Record<string, SchemaObject>,
  path = '$',
): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (!target) return [`${path}: unknown reference ${schema.$ref}`];
    return schemaProblems(value, target, schemas, path);
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = jsonType(value);
    const fits = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!fits) return [`${path}: expected ${allowed.join(' or ')}, found ${actual}`];
    if (value === null) return [];
  }
  if (schema.enum && !schema.enum.includes(value as string | number | null)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  }
  if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.format) {
    const problem = formatProblem(value, schema.format);
    if (problem) problems.push(`${path}: ${problem}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => {
      problems.push(...schemaProblems(item, schema.items!, schemas, `${path}[${i}]`));
    });
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) problems.push(`${path}: missing required property ${key}`);
    }
    for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
      if (key in record)
        problems.push(...schemaProblems(record[key], propertySchema, schemas, `${path}.${key}`));
    }
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(record)) {
        if (!(key in (schema.properties ?? {}))) problems.push(`${path}: unexpected property ${key}`);
      }
    }
  }
  return problems;
}

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object')
    return typeof value as JsonType;
  return 'null';
}

function formatProblem(value: string, format: string): string | null {
  switch (format) {
    case 'uuid':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
        ? null
        : 'not a uuid';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) ? null : 'not a date (YYYY-MM-DD)';
    case 'date-time':
      return Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value) ? 'not a date-time' : null;
    case 'uri':
      return URL.canParse(value) ? null : 'not an absolute URI';
    default:
      return null;
  }
}
