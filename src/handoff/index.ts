/** The handoff stage: agents, queue and routing, presence, SLA clocks, agent actions, console views. */
export * from './agents';
export * from './priority';
export * from './sla';
export * from './view';
export * from './core';
export * from './roster';
export * from './views';
export * from './publish';
export * from './sla-clocks';
export * from './routing';
export * from './presence';
export * from './queue-entry';
export * from './actions';
export * from './sweeper';
export * from './compose';
export * from './wiring';
