import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts' API keys, payments, idempotency records and the simulated processor's ledger. */
export class InitialSchema1764806400000 implements MigrationInterface {
  name = 'InitialSchema1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id varchar(64) NOT NULL,
        key_id varchar(32) NOT NULL UNIQUE,
        key_hash char(64) NOT NULL,
        label varchar(100),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX api_keys_account_idx ON api_keys (account_id)`);

    await runner.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id varchar(64) NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        description varchar(500),
        payment_method varchar(20) NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key varchar(255) NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        processor_key varchar(100) NOT NULL UNIQUE,
        processor_reference varchar(100),
        failure_reason varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX payments_account_created_idx
       ON payments (account_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX payments_pending_idx ON payments (updated_at) WHERE status = 'pending'`,
    );

    await runner.query(`
      CREATE TABLE idempotency_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id varchar(64) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        fingerprint char(64) NOT NULL,
        state varchar(16) NOT NULL CHECK (state IN ('in_progress', 'completed')),
        recovery_point varchar(32) NOT NULL DEFAULT 'started',
        locked_until timestamptz,
        resource_id uuid NOT NULL DEFAULT gen_random_uuid(),
        response_status integer,
        response_body text,
        response_headers jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT idempotency_keys_account_key_unique UNIQUE (account_id, idempotency_key)
      )`);
    await runner.query(
      `CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`,
    );

    await runner.query(`
      CREATE TABLE processor_charges (
        processor_key varchar(100) PRIMARY KEY,
        reference uuid NOT NULL DEFAULT gen_random_uuid(),
        amount_minor bigint NOT NULL,
        currency char(3) NOT NULL,
        outcome varchar(16) NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE processor_charges`);
    await runner.query(`DROP TABLE idempotency_keys`);
    await runner.query(`DROP TABLE payments`);
    await runner.query(`DROP TABLE api_keys`);
  }
}
