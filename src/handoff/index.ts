/** The handoff stage: agents, queue and routing, presence, SLA clocks. */
export * from './agents';
export * from './priority';
export * from './sla';
export * from './view';
export * from './service';
export * from './wiring';
