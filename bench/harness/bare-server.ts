import 'reflect-metadata';

import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class BareController {
  @Get()
  index() {
    return { ok: true };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

/** The framework's ceiling on this machine: NestJS on Express with one route and nothing else. */
async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

void main();
