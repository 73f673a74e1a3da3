// What `pnpm cli` can do to staff accounts, wherever it is carried out: by the running platform through
// its channel (embedded default), or straight on a real Postgres (cli/direct.ts).
import { z } from 'zod';
import type { StaffAccount } from '@helpline/shared';
import { staffCreateSchema } from '../admin/schemas.js';

export type StaffCreate = z.output<typeof staffCreateSchema>;
export const disableSchema = z.object({ email: z.string().trim().min(3).max(254) }).strict();

export interface StaffOps {
  list(): Promise<StaffAccount[]>;
  add(input: StaffCreate): Promise<StaffAccount>;
  /** Disables the account; its sessions and live sockets end on every instance. */
  disable(email: string): Promise<StaffAccount>;
  close(): Promise<void>;
}

/** The channel's HTTP paths (server: cli/channel.ts; client: cli/channel-client.ts). */
export const CHANNEL_PATHS = { staff: '/v1/staff', disable: '/v1/staff/disable', backup: '/v1/backup' } as const;
