// OpenAPI from the same zod schemas the routes validate with: a route that declares `schema` (body,
// params, querystring, headers, responses as zod) is validated by them, with the typed errors of
// http/validate.ts, and documented at /api/docs (the OpenAPI 3 JSON).
import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
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
        { name: 'admin', description: 'Staff (admin) routes: a session cookie and the X-CSRF-Token header' },
      ],
    },
    transform: jsonSchemaTransform,
    // Routes without a zod schema are not part of the document yet (docs/channels.md, next steps).
    hiddenTag: 'hidden',
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export const apiDocs = fp(openapi, { name: 'openapi' });
