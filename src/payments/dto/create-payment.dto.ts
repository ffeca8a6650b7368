import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

import type { FieldProblem } from '../../common/errors/app-error.js';
import type { CrossFieldChecks } from '../../common/http/validation.pipe.js';
import { MAX_MAJOR_AMOUNT, SUPPORTED_CURRENCIES, toMinorUnits } from '../money.js';
import { PAYMENT_METHODS } from '../payment.entity.js';
import type { PaymentMethod } from '../payment.entity.js';

const MAX_METADATA_KEYS = 20;
const MAX_METADATA_KEY_LENGTH = 40;
const MAX_METADATA_VALUE_LENGTH = 500;

export type MetadataValue = string | number | boolean | null;

function metadataValueProblem(value: unknown): string | null {
  if (typeof value === 'string') {
    return value.length > MAX_METADATA_VALUE_LENGTH
      ? `must be at most ${MAX_METADATA_VALUE_LENGTH} characters`
      : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (typeof value === 'boolean' || value === null) return null;

  return 'must be a string, number, boolean or null (metadata is flat)';
}

export function metadataProblems(metadata: Record<string, unknown>): FieldProblem[] {
  const entries = Object.entries(metadata);
  const problems: FieldProblem[] = [];
  if (entries.length > MAX_METADATA_KEYS) {
    problems.push({ field: 'metadata', message: `must have at most ${MAX_METADATA_KEYS} keys` });
  }

  for (const [key, value] of entries) {
    const field = `metadata.${key}`;
    if (key.length === 0 || key.length > MAX_METADATA_KEY_LENGTH) {
      problems.push({ field, message: `key must be 1-${MAX_METADATA_KEY_LENGTH} characters` });
    }

    const valueProblem = metadataValueProblem(value);
    if (valueProblem) problems.push({ field, message: valueProblem });
  }

  return problems;
}

export class CreatePaymentDto implements CrossFieldChecks {
  @ApiProperty({
    description: 'Major units, at most the currency’s minor-unit digits (USD 2, JPY 0, KWD 3).',
    example: 49.99,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: MAX_MAJOR_AMOUNT,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(Number.MIN_VALUE, { message: 'must be greater than 0' })
  @Max(MAX_MAJOR_AMOUNT, { message: `must be at most ${MAX_MAJOR_AMOUNT}` })
  amount!: number;

  @ApiProperty({ enum: SUPPORTED_CURRENCIES, example: 'USD' })
  @IsIn(SUPPORTED_CURRENCIES, { message: 'must be a supported ISO 4217 code in upper case' })
  currency!: string;

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true, example: 'Order #1042' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'credit_card' })
  @IsIn(PAYMENT_METHODS, { message: `must be one of ${PAYMENT_METHODS.join(', ')}` })
  payment_method!: PaymentMethod;

  @ApiPropertyOptional({
    description:
      'Flat object: at most 20 keys of at most 40 characters; ' +
      'string values at most 500 characters.',
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { order_id: 'A-1042' },
    nullable: true,
  })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  metadata?: Record<string, MetadataValue> | null;

  crossFieldProblems(failedFields: ReadonlySet<string>): FieldProblem[] {
    const problems =
      this.metadata && !failedFields.has('metadata') ? metadataProblems(this.metadata) : [];
    const amountCheckable = !failedFields.has('amount') && !failedFields.has('currency');
    if (amountCheckable && toMinorUnits(this.amount, this.currency) === null) {
      problems.push({ field: 'amount', message: `has more decimals than ${this.currency} allows` });
    }

    return problems;
  }
}
