import { z, type ZodType } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The access level of a route: anyone, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

/** The description of one route; the same schemas validate requests and build the document. */
export interface RouteSpec {
  method: HttpMethod;
  /** Koa-style path under the server root, such as `/api/admin/users/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  responses: Record<number, { description: string; schema?: ZodType }>;
}

const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** Collects route specs and turns them into an OpenAPI 3.1 document. */
export class ApiRegistry {
  private readonly specs: RouteSpec[] = [];

  add(spec: RouteSpec): void {
    this.specs.push(spec);
  }

  routes(): readonly RouteSpec[] {
    return this.specs;
  }

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const openApiPath = spec.path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
      paths[openApiPath] ??= {};
      paths[openApiPath][spec.method] = operation(spec);
    }
    return {
      openapi: '3.1.0',
      info: { title: 'LLM Workbench API', version },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Error: toJsonSchema(errorSchema, 'output') },
      },
      paths,
    };
  }
}

function operation(spec: RouteSpec): Record<string, unknown> {
  const parameters = [
    ...objectParameters(spec.params, 'path'),
    ...objectParameters(spec.query, 'query'),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] =
      response.schema === undefined
        ? { description: response.description }
        : {
            description: response.description,
            content: { 'application/json': { schema: toJsonSchema(response.schema, 'output') } },
          };
  }
  responses.default = {
    description: 'Error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return {
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.access === 'public' ? {} : { security: [{ bearer: [] }] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJsonSchema(spec.body, 'input') } },
          },
        }),
    responses,
  };
}

function objectParameters(schema: ZodType | undefined, location: 'path' | 'query') {
  if (schema === undefined) {
    return [];
  }
  const json = toJsonSchema(schema, 'input') as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function toJsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
