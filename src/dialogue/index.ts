/** The conversation engine and its flow policies. */
export { createEngine, POLICIES, genericPolicy, type Engine, type EngineOptions, type OpenConversationInput } from './engine';
export type { Move, Policy, PolicyInput, PolicyResult, PendingQuestion, HandoffRequest } from './policy';
export type * from './types';
