import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { generateKey, hashesMatch, parseKey } from './api-key.format.js';
import type { Principal } from './principal.js';

export const DEVELOPMENT_KEY = 'test-api-key';
export const DEVELOPMENT_ACCOUNT = 'test-user';

const RECENT_KEYS_MAX = 10_000;

export interface ApiKeySummary {
  keyId: string;
  accountId: string;
  label: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Issues, checks and revokes API keys. Only hashes are stored; a new key is shown once. */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly recent = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { account, key } of this.config.apiKeys) await this.ensure(account, key, 'API_KEYS');

    if (!this.config.production) {
      await this.ensure(DEVELOPMENT_ACCOUNT, DEVELOPMENT_KEY, 'development');
      this.logger.warn({ account: DEVELOPMENT_ACCOUNT }, 'development API key is active');
    }
  }

  async authenticate(rawKey: string): Promise<Principal | null> {
    if (this.config.production && rawKey === DEVELOPMENT_KEY) return null;

    const parsed = parseKey(rawKey);
    if (!parsed) return null;

    const cached = this.config.apiKeyCacheTtlMs > 0 ? this.recent.get(parsed.hash) : undefined;
    if (cached && cached.until > Date.now()) return cached.principal;

    const principal = await this.lookup(parsed.keyId, parsed.hash);
    this.remember(parsed.hash, principal);

    return principal;
  }

  private async lookup(keyId: string, hash: string): Promise<Principal | null> {
    const row = await this.keys.findOne({ where: { keyId } });
    if (!row || !hashesMatch(row.keyHash, hash) || !this.isActive(row)) return null;

    return { accountId: row.accountId, keyId: row.keyId };
  }

  /**
   * Keeps recent answers for API_KEY_CACHE_TTL so a busy client costs no database round trip
   * per request. The price: a revoked key keeps working on an instance for up to that long.
   */
  private remember(hash: string, principal: Principal | null): void {
    if (this.recent.size >= RECENT_KEYS_MAX) this.recent.delete(this.recent.keys().next().value!);

    this.recent.set(hash, { principal, until: Date.now() + this.config.apiKeyCacheTtlMs });
  }

  /** Creates a key for the account; the returned secret is never stored nor shown again. */
  async create(accountId: string, label: string | null, expiresAt: Date | null = null) {
    const key = generateKey();
    const parsed = parseKey(key)!;
    await this.keys.insert({
      accountId,
      keyId: parsed.keyId,
      keyHash: parsed.hash,
      label,
      expiresAt,
    });

    return { key, keyId: parsed.keyId, accountId };
  }

  async list(accountId?: string): Promise<ApiKeySummary[]> {
    const rows = await this.keys.find({
      where: accountId ? { accountId } : {},
      order: { createdAt: 'ASC' },
    });

    return rows.map(({ keyId, accountId: account, label, createdAt, expiresAt, revokedAt }) => ({
      keyId,
      accountId: account,
      label,
      createdAt,
      expiresAt,
      revokedAt,
    }));
  }

  /** Revokes by public id; true when an active key was revoked. */
  async revoke(keyId: string): Promise<boolean> {
    this.recent.clear();
    const result = await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('key_id = :keyId AND revoked_at IS NULL', { keyId })
      .execute();

    return (result.affected ?? 0) > 0;
  }

  private async ensure(accountId: string, key: string, label: string): Promise<void> {
    const parsed = parseKey(key);
    if (!parsed) throw new Error(`an API key for ${accountId} has characters keys cannot have`);

    await this.keys
      .createQueryBuilder()
      .insert()
      .values({ accountId, keyId: parsed.keyId, keyHash: parsed.hash, label })
      .orIgnore()
      .execute();
  }

  private isActive(row: ApiKeyEntity): boolean {
    const now = Date.now();

    return row.revokedAt === null && (row.expiresAt === null || row.expiresAt.getTime() > now);
  }
}
