/** Reply templates: loading and validation, helpers, rendering. */
export { parseTemplateFile, checkTemplateSource, handlebars } from './templates';
export type { ScriptError, TemplateFile, TemplateMove, TemplateSet, TemplateVariant } from './templates';
export { renderMove, cleanText, cleanVars, escapeHtml, hasMove, variantCount } from './render';
export type { RenderedMove, RenderOptions } from './render';
export { HELPERS, formatMoney, maskPhone, formatDay, formatTime, formatDate, formatAddress, formatOrderSummary } from './helpers';
export { COMMON_VARIABLES, REQUIRED_MOVES, templateVariables, variablesMarkdown } from './variables';
export type { VariableDoc, VariableSet } from './variables';
