// Demo staff accounts, created only on an empty database of the embedded default.
import type { FastifyInstance } from 'fastify';
import { randomToken } from '../auth/service.js';

export interface DemoAccount {
  role: string;
  email: string;
  password: string;
}

export async function seedDemoAccounts(app: FastifyInstance): Promise<DemoAccount[] | null> {
  if ((await app.auth.countUsers()) > 0) return null;
  const accounts: DemoAccount[] = [];
  const make = async (role: 'counsellor' | 'supervisor' | 'analyst' | 'admin', name: string) => {
    const email = `${role}@demo.helpline.local`;
    const password = `${role}-${randomToken(6)}`;
    await app.auth.createUser({ email, name, role, password, languages: ['bg', 'sr-Cyrl', 'sr-Latn', 'en'], topics: [] });
    accounts.push({ role, email, password });
  };
  await make('counsellor', 'Ana (counsellor)');
  await make('supervisor', 'Boris (supervisor)');
  await make('analyst', 'Vera (analyst)');
  await make('admin', 'Georgi (admin)');
  return accounts;
}
