import { bannerLines } from '../src/banner';
import { loadConfig } from '../src/config';

describe('start banner', () => {
  it('never prints configured tokens', () => {
    const config = loadConfig({ AGENT_TOKENS: 'xiaomei:secret-agent-token-1', MANAGER_TOKENS: 'boss:secret-manager-token-2' });
    const text = bannerLines(config, 3000).join('\n');
    expect(text).not.toContain('secret-agent-token-1');
    expect(text).not.toContain('secret-manager-token-2');
    expect(text).toContain('/agent  (token from AGENT_TOKENS, not printed)');
    expect(text).toContain('/manage  (token from MANAGER_TOKENS, not printed)');
    expect(text).not.toContain('tokens above were generated');
  });

  it('prints generated demo tokens and says they were generated', () => {
    const config = loadConfig({ MANAGER_TOKENS: 'boss:secret-manager-token-2' });
    const text = bannerLines(config, 3000).join('\n');
    for (const a of config.agents) expect(text).toContain(`/agent?token=${encodeURIComponent(a.token)}`);
    expect(text).not.toContain('secret-manager-token-2');
    expect(text).toContain('agent tokens above were generated for this run only');
  });
});
