export * from './common';
export * from './hasura';
export { parseTimestamp, type TimestampParse } from './timestamp';
