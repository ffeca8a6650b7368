import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { BenchRoutesModule } from './bench-routes.module.js';

/** The real application plus the benchmark's comparison routes. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, [BenchRoutesModule]);
  await app.listen(config.port, '127.0.0.1');
}

void main();
