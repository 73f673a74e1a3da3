import type { FastifyInstance } from 'fastify';

/** Origins allowed to open the widget: the platform itself, ALLOWED_ORIGINS, and those the admin added. */
export async function allowedWidgetOrigins(app: FastifyInstance): Promise<Set<string>> {
  const w = await app.settings.get('widget');
  return new Set([app.config.publicOrigin, ...app.config.ALLOWED_ORIGINS, ...w.allowedOrigins].map(normaliseOrigin));
}

export function normaliseOrigin(o: string): string {
  try {
    return new URL(o).origin;
  } catch {
    return o;
  }
}
