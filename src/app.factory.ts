import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';

import { AppModule } from './app.module.js';
import { jsonBodyMiddleware } from './common/http/json-body.middleware.js';
import { RequestValidationPipe } from './common/http/validation.pipe.js';
import type { AppConfig } from './config/config.types.js';
import { DrainService } from './health/drain.service.js';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware.js';

type OpenApiDocument = ReturnType<typeof SwaggerModule.createDocument>;

/** An operation that declares no security requirement is public: say so (`security: []`). */
function markPublicOperations(document: OpenApiDocument): OpenApiDocument {
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path[method];
      if (operation && operation.security === undefined) operation.security = [];
    }
  }

  return document;
}

export function buildOpenApiDocument(app: NestExpressApplication): OpenApiDocument {
  const document = new DocumentBuilder()
    .setTitle('Payments API')
    .setDescription('Payments with idempotency keys, atomic rate limits and safe retries.')
    .setVersion('1.0.0')
    .addServer('/', 'This instance')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API key',
      description: 'API key',
    })
    .build();

  return markPublicOperations(SwaggerModule.createDocument(app, document));
}

function configureHttp(app: NestExpressApplication, config: AppConfig): void {
  app.use(app.get(DrainService).handler);
  app.use(app.get(HttpMetricsMiddleware).handler);
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy.length > 0 ? config.http.trustProxy : false);
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(jsonBodyMiddleware(config.http.bodyLimitBytes));
  if (config.http.corsOrigins.length > 0) app.enableCors({ origin: config.http.corsOrigins });
}

/**
 * Builds the whole application, configured exactly as it serves, without listening. Signals are
 * handled by `GracefulShutdown` (main.ts), not by Nest's shutdown hooks, because Nest would
 * close the database before the HTTP server stopped answering.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  app.useGlobalPipes(new RequestValidationPipe());
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });

  return app;
}
