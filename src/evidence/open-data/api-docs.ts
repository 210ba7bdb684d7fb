import type { JsonType, OpenApiDocument, SchemaObject } from './openapi.ts';

/**
 * The OpenAPI document as plain rows for the readable page at /api/docs: rendered on the server with our
 * layout, because a browser-side viewer would need scripts our Content Security Policy refuses.
 */

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

export interface OperationView {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  parameters: FieldRow[];
  responses: { status: string; description: string; schema: string | null }[];
}

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

function typeText(schema: SchemaObject): string {
  if (schema.$ref) return refName(schema.$ref);
  const types: JsonType[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const words = types.map((t) => {
    if (t === 'array' && schema.items)
      return `list of ${typeText({ ...schema.items, type: schema.items.type ?? 'object' })}`;
    if (t === 'string' && schema.format) return `string (${schema.format})`;
    if (t === 'string' && schema.enum) return `one of ${schema.enum.filter((v) => v !== null).join(', ')}`;
    return t;
  });
  return words.join(' or ') || 'any';
}

/** A schema's properties, nested objects flattened into dotted names (list items marked with []). */
export function fieldRows(schema: SchemaObject, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const full = `${prefix}${name}`;
    rows.push({
      name: full,
      type: typeText(property),
      required: required.has(name),
      description: property.description ?? '',
    });
    if (property.properties) rows.push(...fieldRows(property, `${full}.`));
    if (property.items?.properties) rows.push(...fieldRows(property.items, `${full}[].`));
  }
  return rows;
}

export function apiDocsView(document: OpenApiDocument) {
  const operations: (OperationView & { tag: string })[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const op = item.get;
    operations.push({
      id: op.operationId,
      tag: op.tags[0] ?? '',
      method: 'GET',
      path,
      summary: op.summary,
      description: op.description,
      parameters: (op.parameters ?? []).map((p) => ({
        name: `${p.name} (${p.in})`,
        type: typeText(p.schema),
        required: p.required,
        description: p.description,
      })),
      responses: Object.entries(op.responses).map(([status, r]) => {
        const schema = Object.values(r.content ?? {})[0]?.schema;
        return {
          status,
          description: r.description,
          schema: schema?.$ref ? refName(schema.$ref) : null,
        };
      }),
    });
  }
  return {
    title: document.info.title,
    version: document.info.version,
    description: document.info.description,
    tags: document.tags.map((t) => ({
      ...t,
      operations: operations.filter((o) => o.tag === t.name),
    })),
    schemas: Object.entries(document.components.schemas).map(([name, schema]) => ({
      name,
      description: schema.description ?? '',
      fields: fieldRows(schema),
    })),
  };
}
