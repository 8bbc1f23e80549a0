/**
 * The start banner main.ts prints once listening: where the storefront, consoles and health
 * check are. Kept apart from main.ts (which starts the server when imported) so it is testable.
 */
import type { Config } from './config';

/**
 * The start banner. Only tokens generated for this run are printed (a demo needs the links);
 * configured AGENT_TOKENS / MANAGER_TOKENS never reach the log: those lines name the account
 * and where its token is set.
 */
export function bannerLines(config: Config, port: number): string[] {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const link = (path: string, token: string, generated: boolean, envName: string): string =>
    generated ? `${base}${path}?token=${encodeURIComponent(token)}` : `${base}${path}  (token from ${envName}, not printed)`;
  const rows: [string, string][] = [
    ['Storefront (buyer widget)', `${base}/storefront`],
    ...config.agents.map((a): [string, string] => [`Agent console (${a.id})`, link('/agent', a.token, config.generated.agentTokens, 'AGENT_TOKENS')]),
    ...config.managers.map((m): [string, string] => [
      `Script editor (${m.id})`,
      link('/manage', m.token, config.generated.managerTokens, 'MANAGER_TOKENS'),
    ]),
    ['Health', `${base}/healthz`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const generatedKinds = [config.generated.agentTokens ? 'agent' : '', config.generated.managerTokens ? 'manager' : ''].filter(Boolean);
  return [
    '',
    '  店小二 customer-service engine is running',
    ...rows.map(([label, url]) => `  ${`${label}:`.padEnd(width)}${url}`),
    ...(generatedKinds.length > 0
      ? [`  (${generatedKinds.join(' and ')} tokens above were generated for this run only; set AGENT_TOKENS / MANAGER_TOKENS to fix them)`]
      : []),
    ...(config.generatedShopSecret
      ? ["  (SHOP_SECRET generated for this run: the storefront lets you chat as a demo buyer; set SHOP_SECRET to sign your shop's buyers)"]
      : []),
    '',
  ];
}
