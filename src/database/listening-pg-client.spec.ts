import { Logger } from '@nestjs/common';

import { ListeningPgClient } from './listening-pg-client.js';

describe('ListeningPgClient', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('survives an error event while checked out of the pool', () => {
    const client = new ListeningPgClient({ host: '127.0.0.1', port: 1 });
    const terminated = Object.assign(new Error('terminating connection'), { code: '57P01' });

    expect(() => client.emit('error', terminated)).not.toThrow();
  });
});
