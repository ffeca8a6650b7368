import 'reflect-metadata';

import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';

import { AppModule } from './app.module.js';
import { jsonBodyMiddleware } from './common/http/json-body.middleware.js';
import { assignRequestId } from './common/http/request-id.middleware.js';
import { RequestValidationPipe } from './common/http/validation.pipe.js';
import type { AppConfig } from './config/config.types.js';
import { DrainService } from './health/drain.service.js';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware.js';

/** Response headers a browser client needs to read: ids, replays, retries and limits. */
const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'Idempotent-Replayed',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
];

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
  // Before the body parser: a body it refuses is answered before Nest's logger middleware runs.
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignRequestId(request, response);
    next();
  });
  app.use(jsonBodyMiddleware(config.http.bodyLimitBytes));
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, exposedHeaders: CORS_EXPOSED_HEADERS });
  }
}

/**
 * Builds the whole application, configured exactly as it serves, without listening. Signals are
 * handled by `GracefulShutdown` (main.ts), not by Nest's shutdown hooks, because Nest would
 * close the database before the HTTP server stopped answering.
 */
export async function createApp(
  config: AppConfig,
  extra: Type<unknown>[] = [],
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extra), {
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
