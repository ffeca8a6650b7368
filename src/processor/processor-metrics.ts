import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';

import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import { ResilientProcessor } from './resilient.processor.js';
import type { CircuitStateName } from './resilient.processor.js';

const STATE_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

/** Mirrors the breaker and charge failures of {@link ResilientProcessor} into metrics. */
@Injectable()
export class ProcessorMetrics implements OnModuleInit {
  constructor(
    private readonly processor: ResilientProcessor,
    @InjectMetric(METRIC.processorCircuitState) private readonly state: Gauge,
    @InjectMetric(METRIC.processorCircuitTransitions) private readonly transitions: Counter<'to'>,
    @InjectMetric(METRIC.processorErrors) private readonly errors: Counter<'kind'>,
  ) {}

  onModuleInit(): void {
    this.state.set(STATE_VALUE[this.processor.circuitState]);
    this.processor.observe({
      circuitChanged: (to) => {
        this.state.set(STATE_VALUE[to]);
        this.transitions.inc({ to });
      },
      chargeFailed: (kind) => this.errors.inc({ kind }),
    });
  }
}
