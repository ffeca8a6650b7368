export const IDEMPOTENT_BODY = 'idempotency:body';
