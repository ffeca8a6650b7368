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

export function buildOpenApiDocument(app: NestExpressApplication) {
  const document = new DocumentBuilder()
    .setTitle('Payments API')
    .setDescription('Payments with idempotency keys, atomic rate limits and safe retries.')
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .build();

  return SwaggerModule.createDocument(app, document);
}

function configureHttp(app: NestExpressApplication, config: AppConfig): void {
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

/** Builds the whole application, configured exactly as it serves, without listening. */
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
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });

  return app;
}
