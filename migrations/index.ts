import { InitialSchema1764806400000 } from './1764806400000-initial-schema.js';
import { AuditLog1764806500000 } from './1764806500000-audit-log.js';

/** Every migration, oldest first. Listed by hand so the ES-module build needs no globbing. */
export const MIGRATIONS = [InitialSchema1764806400000, AuditLog1764806500000];
