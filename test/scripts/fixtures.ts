/**
 * A small, complete script set for unit tests of the editor: two intents of our own (so
 * the tests do not depend on the shop's real scripts), their replies and the engine's
 * system moves. Phrases are written for these tests.
 */
export function fixtureFiles(): Record<string, string> {
  return {
    'intents/dictionary.txt': '# shop words\n包邮 100 n\n顺丰\n',
    'intents/greeting.wave.yaml': [
      'id: greeting.wave',
      'category: greeting',
      'description: buyer says hello',
      'examples:',
      '  - 你好',
      '  - 在吗',
      '  - 有人吗',
      '  - 哈喽',
      '  - 亲在不在',
      '  - 您好呀',
      '',
    ].join('\n'),
    'intents/delivery.when.yaml': [
      'id: delivery.when',
      'category: delivery',
      'description: when does my order ship',
      'examples:',
      '  - 什么时候发货',
      '  - 几天能发货',
      '  - 今天能发吗',
      '  - 快点发货吧',
      '  - 发货要多久',
      '  - 啥时候发出',
      '',
    ].join('\n'),
    'templates/greeting.wave.yaml': [
      'intent: greeting.wave',
      'moves:',
      '  reply:',
      '    - 亲，您好，{{shop.name}}在的~',
      '    - 亲在的呢，请问有什么可以帮您？',
      '',
    ].join('\n'),
    'templates/delivery.when.yaml': ['intent: delivery.when', 'moves:', '  reply:', '    - 亲，{{shop.cutoff}}前付款当天发货哦', ''].join('\n'),
    'templates/system.yaml': [
      'intent: system',
      'moves:',
      '  clarify:',
      '    - 亲，您是想问哪方面呢？',
      '  handoff:',
      '    - 亲，已为您转接人工客服，请稍等~',
      '  handoff_urgent:',
      '    - 亲，非常抱歉，马上为您转接人工客服',
      '  error:',
      '    - 亲，系统有点忙，已为您转接人工客服',
      '',
    ].join('\n'),
  };
}
