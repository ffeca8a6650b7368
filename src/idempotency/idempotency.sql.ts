/**
 * Claims a key in one statement. A new key is inserted; an expired key is reset as if new;
 * an in-progress key whose lock expired is taken over by a request with the same fingerprint
 * (the crash-resume path). Anything else returns no row and is decided by a plain read.
 */
export const CLAIM_SQL = `
  INSERT INTO idempotency_keys AS k
    (account_id, idempotency_key, fingerprint, state, locked_until, expires_at)
  VALUES ($1, $2, $3, 'in_progress', now() + make_interval(secs => $4::float8 / 1000),
          now() + make_interval(secs => $5::float8 / 1000))
  ON CONFLICT (account_id, idempotency_key) DO UPDATE SET
    fingerprint = CASE WHEN k.expires_at <= now() THEN EXCLUDED.fingerprint ELSE k.fingerprint END,
    state = 'in_progress',
    recovery_point = CASE WHEN k.expires_at <= now() THEN 'started' ELSE k.recovery_point END,
    resource_id = CASE WHEN k.expires_at <= now() THEN gen_random_uuid() ELSE k.resource_id END,
    response_status = NULL,
    response_body = NULL,
    response_headers = NULL,
    created_at = CASE WHEN k.expires_at <= now() THEN now() ELSE k.created_at END,
    expires_at = CASE WHEN k.expires_at <= now() THEN EXCLUDED.expires_at ELSE k.expires_at END,
    locked_until = EXCLUDED.locked_until,
    updated_at = now()
  WHERE k.expires_at <= now()
     OR (k.state = 'in_progress' AND k.locked_until <= now()
         AND k.fingerprint = EXCLUDED.fingerprint)
  RETURNING k.*, (k.xmax = 0) AS inserted`;

export const READ_SQL = `
  SELECT * FROM idempotency_keys WHERE account_id = $1 AND idempotency_key = $2`;

export const CHECKPOINT_SQL = `
  UPDATE idempotency_keys SET recovery_point = $2, updated_at = now()
  WHERE id = $1 AND state = 'in_progress'`;

export const COMPLETE_SQL = `
  UPDATE idempotency_keys
  SET state = 'completed', recovery_point = 'completed', locked_until = NULL,
      response_status = $2, response_headers = $3::jsonb, response_body = $4, updated_at = now()
  WHERE id = $1 AND state = 'in_progress'`;

export const RELEASE_SQL = `
  UPDATE idempotency_keys SET locked_until = now(), updated_at = now()
  WHERE id = $1 AND state = 'in_progress'`;

export const FORGET_SQL = `
  DELETE FROM idempotency_keys
  WHERE id = $1 AND state = 'in_progress' AND recovery_point = 'started'`;

export const DELETE_EXPIRED_SQL = `
  DELETE FROM idempotency_keys WHERE id IN (
    SELECT id FROM idempotency_keys WHERE expires_at <= now() ORDER BY expires_at LIMIT $1
  )`;
