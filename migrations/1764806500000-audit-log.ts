import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only audit trail. A trigger refuses UPDATE and TRUNCATE always, and DELETE unless
 * the transaction set `audit.retention_cutoff` and the row is older than that cutoff, which
 * only the retention job does.
 */
export class AuditLog1764806500000 implements MigrationInterface {
  name = 'AuditLog1764806500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE audit_logs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        account_id varchar(64),
        action varchar(40) NOT NULL,
        outcome varchar(20) NOT NULL,
        status_code integer NOT NULL,
        request_id varchar(128) NOT NULL,
        ip varchar(64),
        method varchar(10) NOT NULL,
        path varchar(300) NOT NULL,
        idempotency_key varchar(255),
        transaction_id uuid,
        latency_ms integer
      )`);
    await runner.query(
      `CREATE INDEX audit_logs_account_time_idx
       ON audit_logs (account_id, occurred_at DESC, id DESC)`,
    );
    await runner.query(`CREATE INDEX audit_logs_occurred_idx ON audit_logs (occurred_at)`);
    await runner.query(`
      CREATE FUNCTION audit_logs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cutoff text := current_setting('audit.retention_cutoff', true);
      BEGIN
        IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
           AND OLD.occurred_at < cutoff::timestamptz THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_logs is append-only (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END;
      $$`);
    await runner.query(`
      CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
      FOR EACH ROW EXECUTE FUNCTION audit_logs_guard()`);
    await runner.query(`
      CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
      FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_guard()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_logs`);
    await runner.query(`DROP FUNCTION audit_logs_guard()`);
  }
}
