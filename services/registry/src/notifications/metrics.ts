// The notification queues in Prometheus metrics (when http.metrics is on): queue depth and
// delivery outcomes per endpoint, read from the endpoints' own counts at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Endpoint, EndpointStats } from './endpoint.js';

export function registerNotificationMetrics(registry: Registry, endpoints: readonly Endpoint[]): void {
  if (endpoints.length === 0) return;
  const labelNames = ['endpoint'] as const;
  const each = (read: (stats: EndpointStats) => number, set: (endpoint: string, value: number) => void) => {
    for (const endpoint of endpoints) set(endpoint.options.name, read(endpoint.stats()));
  };
  new Gauge({
    name: 'wharf_notification_queue_depth',
    help: 'Events stored in the endpoint queue, not yet delivered (as this instance last saw)',
    labelNames,
    registers: [registry],
    collect() {
      each((s) => s.queued, (endpoint, value) => this.set({ endpoint }, value));
    },
  });
  new Gauge({
    name: 'wharf_notification_queue_bytes',
    help: 'Bytes of undelivered events stored in the endpoint queue (as this instance last saw); bounded by maxQueueBytes',
    labelNames,
    registers: [registry],
    collect() {
      each((s) => s.queuedBytes, (endpoint, value) => this.set({ endpoint }, value));
    },
  });
  new Gauge({
    name: 'wharf_notification_sender',
    help: '1 while this instance is the one delivering the endpoint queue',
    labelNames,
    registers: [registry],
    collect() {
      each((s) => (s.sending ? 1 : 0), (endpoint, value) => this.set({ endpoint }, value));
    },
  });
  // Totals kept by the endpoints themselves: each scrape reports them as they stand.
  const total = (name: string, help: string, read: (stats: EndpointStats) => number) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        each(read, (endpoint, value) => this.inc({ endpoint }, value));
      },
    });
  total('wharf_notification_delivery_failures_total', 'Failed delivery attempts (each is retried)', (s) => s.errors);
  total('wharf_notification_events_delivered_total', 'Events the endpoint took', (s) => s.delivered);
  total('wharf_notification_events_dropped_total', 'Events given up on (dropAfterThreshold only)', (s) => s.dropped);
  total('wharf_notification_events_dead_lettered_total', 'Events moved to dead-letter/: refused for good by the endpoint (4xx), or over the batch budget', (s) => s.deadLettered);
  total('wharf_notification_events_refused_total', 'Events not stored because the endpoint queue was at maxQueueBytes (the push succeeded)', (s) => s.refused);
}
