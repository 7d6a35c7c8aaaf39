import { BullmqAdapter } from './bullmq';
import { FloorAdapter } from './floor';
import { GraphileAdapter } from './graphile';
import { HasuraEmulationAdapter } from './hasura';
import { OursAdapter } from './ours';
import { PgbossAdapter } from './pgboss';
import type { SystemAdapter } from './types';

/** Every selectable system; `fast` variants run the pollers at their documented minimum-ish intervals. */
export const SYSTEMS: Record<string, () => SystemAdapter> = {
  ours: () => new OursAdapter(),
  floor: () => new FloorAdapter(),
  bullmq: () => new BullmqAdapter(),
  pgboss: () => new PgbossAdapter('pgboss', 2),
  'pgboss-fast': () => new PgbossAdapter('pgboss-fast', 0.5),
  graphile: () => new GraphileAdapter('graphile', 2000),
  'graphile-fast': () => new GraphileAdapter('graphile-fast', 500),
  hasura: () => new HasuraEmulationAdapter(),
};

export const DEFAULT_SYSTEMS = ['ours', 'floor', 'bullmq', 'pgboss', 'graphile', 'hasura'];
