import { ConfigError, loadConfig, productionProblems } from './config/config.loader.js';
import type { AppConfig } from './config/config.types.js';
import { createApp } from './app.factory.js';
import { GracefulShutdown } from './shutdown.js';

function configOrExit(): AppConfig {
  try {
    const config = loadConfig();
    const problems = productionProblems(config);
    if (problems.length > 0) throw new Error(`production refuses to start: ${problems.join('; ')}`);

    return config;
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : error;
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', msg: `configuration: ${message}` })}\n`,
    );
    process.exit(78);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  new GracefulShutdown(app, config).install();
}

void bootstrap();
