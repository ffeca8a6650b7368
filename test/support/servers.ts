/**
 * Which real servers the tests may use. A suite that needs one runs when its URL is set; without
 * it the suite is reported as not run, with the reason, and under CI=true it fails instead.
 */
export const SERVER_URLS = {
  postgres: process.env.DATABASE_URL ?? null,
  redis: process.env.REDIS_URL ?? null,
};

const inCi = process.env.CI === 'true';

export function describeWithServer(
  server: keyof typeof SERVER_URLS,
  name: string,
  body: () => void,
): void {
  const variable = server === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL';
  if (SERVER_URLS[server] !== null) {
    describe(name, body);
    return;
  }

  if (inCi) {
    describe(name, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${name}: ${variable} is unset, and CI=true requires every suite to run`);
      });
    });
    return;
  }

  process.stderr.write(`\n[not run] ${name}: ${variable} is unset; set it to run this suite\n`);
  describe.skip(`${name} (not run: ${variable} is unset)`, body);
}
