export { createTemporalClient, connectionOptions, dataConverterOf, type TemporalConnectionConfig } from './connection';
export { TemporalEventScheduler, EVENT_WORKFLOW_TYPE } from './temporal-event-scheduler';
export { callClearance } from './call-clearance';
