// /api/docs: the OpenAPI document is generated from the zod schemas the routes validate with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('/api/docs', () => {
  it('lists the API channel route with the schema it validates with', async () => {
    const res = await fetch(`${env.url}/api/docs`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    const op = doc.paths['/api/channels/api/{inbox}/messages']?.post;
    expect(op).toBeDefined();
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['contactId', 'messageId', 'text']));
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.text.maxLength).toBeGreaterThan(0);
    expect(op.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['path:inbox', 'header:x-helpline-timestamp', 'header:x-helpline-signature']));
    expect(op.responses['202'].content['application/json'].schema.properties.duplicate.type).toBe('boolean');
    expect(op.responses['401'].content['application/json'].schema.properties.error.properties.code.enum).toEqual(expect.arrayContaining(['bad_signature', 'stale_timestamp']));
    expect(doc.paths['/api/admin/inboxes']?.post).toBeDefined();
  });

  it('documents the public routes with the schemas their handlers parse with, and no staff route without one', async () => {
    const doc = (await (await fetch(`${env.url}/api/docs`)).json()) as any;
    const report = doc.paths['/api/hotline/reports']?.post;
    expect(report.requestBody.content['application/json'].schema.properties.urls).toBeDefined();
    expect(doc.paths['/api/widget/offline-messages']?.post.requestBody).toBeDefined();
    expect(doc.paths['/api/auth/login']?.post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(doc.paths['/api/hotline/reports/{id}']).toBeUndefined();
    expect(doc.paths['/api/docs']).toBeUndefined();
  });
});
