// OpenAPI from the same zod schemas the routes validate with: a route that declares `schema` (body,
// params, querystring, headers, responses as zod) is validated by them, with the typed errors of
// http/validate.ts, and documented at /api/docs (the OpenAPI 3 JSON).
import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { parse } from './validate.js';

const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    try {
      return { value: parse(schema, data) };
    } catch (err) {
      return { error: err as Error };
    }
  };

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The OpenAPI description of a route that parses its input in the handler (after its origin check,
     * rate limit...), with the same zod schemas it parses with: documented, not validated twice.
     */
    docs?: FastifySchema & { summary?: string; tags?: string[] };
  }
}

/**
 * A route is in the document when it has a zod schema or `config.docs`; every other route (the
 * staff's, still parsed in their handlers without a route schema) is left out.
 */
const transform: SwaggerTransform = (input) => {
  const docs = (input.route.config as { docs?: FastifySchema } | undefined)?.docs;
  const schema = { ...(docs ?? {}), ...(input.schema ?? {}) } as FastifySchema & { hide?: boolean };
  const documented = docs !== undefined || ['body', 'params', 'querystring', 'headers', 'response'].some((k) => k in schema);
  if (!documented || schema.hide) return { schema: { hide: true } as FastifySchema, url: input.url };
  return jsonSchemaTransform({ ...input, schema });
};

async function openapi(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Helpline platform: public and integration HTTP API',
        description: 'Generated from the schemas the server validates with. Signed requests: see docs/channels.md.',
        version: '1',
      },
      tags: [
        { name: 'integrations', description: 'API inboxes: outside systems post messages of their contacts' },
        { name: 'public', description: 'The widget, the hotline report form and the staff login: no session' },
        { name: 'admin', description: 'Staff (admin) routes: a session cookie and the X-CSRF-Token header' },
      ],
    },
    transform,
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export const apiDocs = fp(openapi, { name: 'openapi' });
