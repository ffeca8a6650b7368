import request from 'supertest';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import {
  HIGH_RATE_LIMITS,
  PAYMENTS,
  apiKeysEnv,
  bearer,
  getPath,
  paymentBody,
  postPayment,
} from '../support/payments-api.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

const ACCOUNT = { account: 'acct-logs', key: 'acct-logs-secret-key-0123456' };
const CARDS = ['4111111111111111', '5500005555555559', '4012888888881881', '6011000990139424'];
const SPACED_CARD = '3782 822463 10005';

describe('logs at LOG_LEVEL=debug', () => {
  let instance: Instance;
  let output: string;

  beforeAll(async () => {
    instance = await startInstance({
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      env: {
        ...HIGH_RATE_LIMITS,
        LOG_LEVEL: 'debug',
        API_KEYS: apiKeysEnv([ACCOUNT]),
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
      },
    });

    await getPath(instance.url, PAYMENTS, ACCOUNT.key);
    await getPath(instance.url, PAYMENTS, CARDS[0]);
    await request(instance.url).get(PAYMENTS).set('Authorization', `Basic ${ACCOUNT.key}`);
    await postPayment(
      instance.url,
      paymentBody({
        description: `card ${CARDS[1]}`,
        metadata: { card: SPACED_CARD, note: `pan ${CARDS[1]}` },
      }),
      { key: ACCOUNT.key },
    );
    await getPath(instance.url, `${PAYMENTS}/${CARDS[2]}`, ACCOUNT.key);
    await request(instance.url).get(`/no/such/page/${CARDS[3]}`);
    await getPath(instance.url, `${PAYMENTS}?cursor=${CARDS[0]}`, ACCOUNT.key);
    await request(instance.url).get('/health/live').set(bearer(ACCOUNT.key));

    await instance.stop();
    output = instance.output();
  }, BOOT_HOOK_TIMEOUT_MS);

  it('logged the requests at all (the scan below has something to scan)', () => {
    expect(output).toContain('request completed');
    expect(output).toContain(`${PAYMENTS}/************1881`);
  });

  it('never contains an API key or an Authorization header', () => {
    expect(output).not.toContain(ACCOUNT.key);
    expect(output).not.toMatch(/(Bearer|Basic) [^"]/);
    expect(output.toLowerCase()).not.toContain('"authorization"');
  });

  it('never contains a full card-like number', () => {
    for (const card of [...CARDS, SPACED_CARD]) expect(output).not.toContain(card);
    const strings = output.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(strings.filter((text) => /(?<!\d)\d{13,19}(?!\d)/.test(text))).toEqual([]);
  });
});
