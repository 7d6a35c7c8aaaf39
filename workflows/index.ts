/** The workflow bundle's entry: workflow functions only (the worker registers every export as a workflow type). */
export { scheduledEventWorkflow } from './scheduled-event';
