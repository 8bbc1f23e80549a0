// @ts-check
/* Reports page (/reports): reads /api/reports for a date range and draws each figure as an
   inline SVG chart (no chart library), with a data table for screen readers and the CSV
   export. Manager token as on /manage (shared in sessionStorage, so a manager who came from
   the script editor is not asked again). All text from the server is escaped or set as text. */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var TOKEN_KEY = 'manageToken';
  var REASONS = ['explicit_request', 'bad_review', 'angry_tone', 'after_sale', 'overdue_delivery', 'policy_limit', 'low_confidence', 'error'];
  var REASON_COLORS = {
    explicit_request: '#3b82f6',
    bad_review: '#dc2626',
    angry_tone: '#f97316',
    after_sale: '#8b5cf6',
    overdue_delivery: '#eab308',
    policy_limit: '#14b8a6',
    low_confidence: '#64748b',
    error: '#111827',
  };
  var ORANGE = '#ff5000';

  var state = {
    token: '',
    bucket: 'day',
    /** @type {any} */ report: null,
    seq: 0,
  };

  /** @param {string} id */
  function $(id) {
    return /** @type {HTMLElement} */ (document.getElementById(id));
  }
  /** @param {string} id */
  function input(id) {
    return /** @type {HTMLInputElement} */ (document.getElementById(id));
  }

  // ---- token --------------------------------------------------------------------------
  function readToken() {
    var params = new URLSearchParams(location.search);
    var t = params.get('token');
    if (t) {
      try {
        sessionStorage.setItem(TOKEN_KEY, t);
      } catch (e) {
        /* private mode */
      }
      // Keep the token out of the address bar (screenshots, shoulder surfing).
      params.delete('token');
      var q = params.toString();
      history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
      return t;
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    input('token-input').focus();
  }

  /** @param {string} text @param {string} [kind] */
  function setStatus(text, kind) {
    var el = $('status');
    el.textContent = text;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  /** An error the manager must see (also on a phone, where the status line is hidden). @param {string} text */
  function showError(text) {
    $('range-error').textContent = text;
    $('range-error').hidden = false;
  }

  // ---- dates --------------------------------------------------------------------------
  /** Today in the shop's time zone (the server's offset once known, China before that). */
  function shopToday(offsetMinutes) {
    return new Date(Date.now() + offsetMinutes * 60000).toISOString().slice(0, 10);
  }
  /** @param {string} day @param {number} days */
  function addDays(day, days) {
    var d = new Date(day + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }
  function query() {
    return 'from=' + encodeURIComponent(input('from').value) + '&to=' + encodeURIComponent(input('to').value) + '&bucket=' + state.bucket;
  }

  // ---- formatting ---------------------------------------------------------------------
  /** @param {number|null|undefined} v */
  function pct(v) {
    return v === null || v === undefined ? '—' : (Math.round(v * 1000) / 10).toString() + '%';
  }
  /** Milliseconds as 分/秒 for people. @param {number|null|undefined} ms */
  function duration(ms) {
    if (ms === null || ms === undefined) return '—';
    var s = Math.round(ms / 1000);
    if (s < 60) return s + '秒';
    var m = Math.floor(s / 60);
    if (m < 60) return m + '分' + (s % 60 ? (s % 60) + '秒' : '');
    var h = Math.floor(m / 60);
    return h + '小时' + (m % 60 ? (m % 60) + '分' : '');
  }
  /** @param {number|null|undefined} v */
  function yuan(v) {
    return v === null || v === undefined ? '—' : '¥' + (Math.round(v * 100) / 100).toString();
  }
  /** Short axis label of a bucket key ("2026-12-05" → "12-05", "2026-12-05 14:00" → "14时"). @param {string} key */
  function shortKey(key) {
    if (key.length > 10) return String(Number(key.slice(11, 13))) + '时';
    return key.slice(5);
  }
  /** @param {string} key */
  function longKey(key) {
    if (key.length > 10) return key.slice(5, 10) + ' ' + key.slice(11, 16);
    return key;
  }

  // ---- SVG drawing --------------------------------------------------------------------
  /** @param {string} name @param {Record<string, string|number>} [attrs] @param {string} [text] */
  function svgEl(name, attrs, text) {
    var el = document.createElementNS(SVG_NS, name);
    if (attrs) for (var k in attrs) el.setAttribute(k, String(attrs[k]));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /** A "nice" axis maximum at or above v. @param {number} v */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  /**
   * Frame of a chart: width from the container (at least `slot` px per bucket, the container
   * scrolls sideways beyond that), y gridlines with labels, x labels thinned to fit.
   */
  function frame(container, keys, max, formatY, minSlot, ticks) {
    var n = keys.length;
    var avail = Math.max(280, container.clientWidth || 600);
    var left = 44;
    var right = 10;
    var top = 18;
    var bottom = 26;
    var width = Math.max(avail, left + right + n * (minSlot || 6));
    var height = 210;
    var svg = svgEl('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, class: 'svg-chart' });
    var plotW = width - left - right;
    var plotH = height - top - bottom;
    var slot = plotW / Math.max(1, n);
    ticks = ticks || 4;
    for (var i = 0; i <= ticks; i++) {
      var v = (max * i) / ticks;
      var y = top + plotH - (plotH * i) / ticks;
      svg.appendChild(svgEl('line', { x1: left, x2: width - right, y1: y, y2: y, class: i === 0 ? 'axis' : 'grid' }));
      svg.appendChild(svgEl('text', { x: left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, formatY(v)));
    }
    var every = Math.max(1, Math.ceil(36 / slot));
    for (var j = 0; j < n; j++) {
      if (j % every !== 0) continue;
      svg.appendChild(svgEl('text', { x: left + slot * j + slot / 2, y: height - 8, class: 'tick', 'text-anchor': 'middle' }, shortKey(keys[j])));
    }
    return {
      svg: svg,
      slot: slot,
      x: function (/** @type {number} */ j) {
        return left + slot * j;
      },
      y: function (/** @type {number} */ v) {
        return top + plotH - (plotH * Math.min(v, max)) / max;
      },
      base: top + plotH,
    };
  }

  /**
   * Bar chart, stacked when several series. Each bar is a <rect class="bar"> with data-key and
   * data-value; a value label sits above single-series bars when there is room.
   * @param {HTMLElement} container
   * @param {{ keys: string[], series: { name: string, color: string, values: (number|null)[] }[], max?: number, integer?: boolean,
   *   formatY: (v: number) => string, label?: (i: number) => string, title: (i: number) => string, ariaLabel: string }} opts
   */
  function barChart(container, opts) {
    container.textContent = '';
    var keys = opts.keys;
    var totals = keys.map(function (_, i) {
      return opts.series.reduce(function (s, ser) {
        return s + (ser.values[i] || 0);
      }, 0);
    });
    var top = Math.max.apply(null, totals.concat([0]));
    var max = opts.max || niceMax(top);
    var ticks = 4;
    if (opts.integer) {
      // Counts: whole-number gridlines (1, 2, 3 …), never 0.25 of a handoff.
      max = opts.max || Math.max(1, Math.ceil(top));
      if (max <= 5) ticks = max;
      else max = Math.ceil(max / 4) * 4;
    }
    var f = frame(container, keys, max, opts.formatY, 8, ticks);
    f.svg.setAttribute('role', 'img');
    f.svg.setAttribute('aria-label', opts.ariaLabel);
    var barW = Math.max(2, Math.min(36, f.slot * 0.62));
    keys.forEach(function (key, i) {
      var y0 = f.base;
      var g = svgEl('g', { class: 'bucket', 'data-key': key });
      g.appendChild(svgEl('title', {}, opts.title(i)));
      opts.series.forEach(function (ser) {
        var v = ser.values[i] || 0;
        var h = f.base - f.y(v);
        if (v > 0 && h < 1.5) h = 1.5;
        var x = f.x(i) + (f.slot - barW) / 2;
        g.appendChild(
          svgEl('rect', {
            x: x,
            y: y0 - h,
            width: barW,
            height: h,
            rx: Math.min(3, barW / 4),
            fill: ser.color,
            class: 'bar',
            'data-key': key,
            'data-series': ser.name,
            'data-value': ser.values[i] === null ? '' : v,
          }),
        );
        y0 -= h;
      });
      if (opts.label && f.slot >= 26 && totals[i] > 0) {
        g.appendChild(svgEl('text', { x: f.x(i) + f.slot / 2, y: y0 - 5, class: 'value-label', 'text-anchor': 'middle' }, opts.label(i)));
      }
      f.svg.appendChild(g);
    });
    container.appendChild(f.svg);
  }

  /**
   * Line chart of several series (null = no point; the line breaks there), optional dashed
   * threshold line.
   * @param {HTMLElement} container
   * @param {{ keys: string[], series: { name: string, color: string, values: (number|null)[] }[], threshold?: { value: number, label: string },
   *   formatY: (v: number) => string, title: (i: number) => string, ariaLabel: string }} opts
   */
  function lineChart(container, opts) {
    container.textContent = '';
    var all = [];
    opts.series.forEach(function (s) {
      s.values.forEach(function (v) {
        if (v !== null) all.push(v);
      });
    });
    if (opts.threshold) all.push(opts.threshold.value);
    var max = niceMax(Math.max.apply(null, all.concat([0])) * 1.1);
    var f = frame(container, opts.keys, max, opts.formatY, 6);
    f.svg.setAttribute('role', 'img');
    f.svg.setAttribute('aria-label', opts.ariaLabel);
    if (opts.threshold) {
      var ty = f.y(opts.threshold.value);
      f.svg.appendChild(svgEl('line', { x1: f.x(0), x2: f.x(opts.keys.length), y1: ty, y2: ty, class: 'threshold' }));
      f.svg.appendChild(
        svgEl('text', { x: f.x(opts.keys.length) - 4, y: ty - 4, class: 'threshold-label', 'text-anchor': 'end' }, opts.threshold.label),
      );
    }
    opts.series.forEach(function (ser) {
      var d = '';
      var pen = false;
      ser.values.forEach(function (v, i) {
        if (v === null) {
          pen = false;
          return;
        }
        var x = f.x(i) + f.slot / 2;
        d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + f.y(v).toFixed(1);
        pen = true;
      });
      if (d) f.svg.appendChild(svgEl('path', { d: d, fill: 'none', stroke: ser.color, 'stroke-width': 2, class: 'line', 'data-series': ser.name }));
      ser.values.forEach(function (v, i) {
        if (v === null) return;
        var c = svgEl('circle', {
          cx: f.x(i) + f.slot / 2,
          cy: f.y(v),
          r: 3.5,
          fill: '#fff',
          stroke: ser.color,
          'stroke-width': 2,
          class: 'point',
          'data-key': opts.keys[i],
          'data-series': ser.name,
          'data-value': v,
        });
        c.appendChild(svgEl('title', {}, opts.title(i)));
        f.svg.appendChild(c);
      });
    });
    container.appendChild(f.svg);
  }

  /** @param {HTMLElement} ul @param {{ name: string, color: string, value?: string, dashed?: boolean }[]} items */
  function legend(ul, items) {
    ul.textContent = '';
    items.forEach(function (it) {
      var li = document.createElement('li');
      var sw = document.createElement('span');
      sw.className = 'swatch' + (it.dashed ? ' dashed' : '');
      sw.style.background = it.dashed ? 'transparent' : it.color;
      sw.style.borderColor = it.color;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(it.name + (it.value !== undefined ? ' ' + it.value : '')));
      ul.appendChild(li);
    });
  }

  // ---- rendering the report -----------------------------------------------------------
  function reasonLabel(r) {
    var labels = (state.report && state.report.labels && state.report.labels.reasons) || {};
    return Object.prototype.hasOwnProperty.call(labels, r) ? labels[r] : r;
  }

  function isEmpty(t) {
    return t.buyerMessages === 0 && t.handoffs === 0 && t.csat.count === 0 && t.deals.count === 0 && t.suggestions.offered === 0;
  }

  function kpi(title, value, sub, kind) {
    var el = document.createElement('div');
    el.className = 'kpi' + (kind ? ' ' + kind : '');
    var h = document.createElement('div');
    h.className = 'kpi-title';
    h.textContent = title;
    var v = document.createElement('div');
    v.className = 'kpi-value';
    v.textContent = value;
    var s = document.createElement('div');
    s.className = 'kpi-sub';
    s.textContent = sub;
    el.appendChild(h);
    el.appendChild(v);
    el.appendChild(s);
    return el;
  }

  function renderKpis(r) {
    var t = r.totals;
    var box = $('kpis');
    box.textContent = '';
    var firstBreach = t.sla.firstResponse.breached;
    var afterBreach = t.sla.afterSale.breached;
    box.appendChild(kpi('自动回复率', pct(t.autoReplyRate), t.autoAnswered + ' / ' + t.buyerMessages + ' 条买家消息'));
    box.appendChild(kpi('转人工率', pct(t.handoffRate), t.handoffs + ' 次转人工 · ' + t.conversations + ' 个咨询会话'));
    box.appendChild(
      kpi('首次响应 P50 / P90', duration(t.firstResponse.p50Ms) + ' / ' + duration(t.firstResponse.p90Ms), t.firstResponse.count + ' 次人工接待'),
    );
    box.appendChild(kpi('首响超时（>5分钟）', String(firstBreach), '共考核 ' + t.sla.firstResponse.due + ' 次转人工', firstBreach > 0 ? 'warn' : ''));
    box.appendChild(kpi('售后超时（>48小时）', String(afterBreach), '共考核 ' + t.sla.afterSale.due + ' 个售后问题', afterBreach > 0 ? 'warn' : ''));
    box.appendChild(kpi('满意度', t.csat.average === null ? '—' : t.csat.average.toFixed(1) + ' ★', t.csat.count + ' 个评价'));
    box.appendChild(
      kpi(
        '推荐回复采纳率',
        pct(t.suggestions.acceptanceRate),
        t.suggestions.sentAsIs + t.suggestions.edited + ' / ' + t.suggestions.offered + ' 条客服消息',
      ),
    );
    box.appendChild(
      kpi('议价成交', t.deals.count + ' 单', '平均优惠 ' + yuan(t.deals.averageDiscountYuan) + '（' + pct(t.deals.averageDiscountRate) + '）'),
    );
  }

  function renderCharts(r) {
    var b = r.buckets;
    var keys = b.map(function (x) {
      return x.key;
    });
    var unit = r.bucket === 'day' ? '日' : '时段';

    barChart($('chart-auto'), {
      keys: keys,
      series: [{ name: 'auto', color: ORANGE, values: b.map((x) => x.autoReplyRate) }],
      max: 1,
      formatY: (v) => Math.round(v * 100) + '%',
      label: (i) => pct(b[i].autoReplyRate),
      title: (i) => longKey(b[i].key) + '：自动回复率 ' + pct(b[i].autoReplyRate) + '（' + b[i].autoAnswered + '/' + b[i].buyerMessages + '）',
      ariaLabel: '每' + unit + '机器人自动回复率，合计 ' + pct(r.totals.autoReplyRate),
    });

    var used = REASONS.filter((reason) => r.totals.handoffsByReason[reason] > 0);
    barChart($('chart-handoff'), {
      keys: keys,
      series: used.map((reason) => ({ name: reason, color: REASON_COLORS[reason], values: b.map((x) => x.handoffsByReason[reason]) })),
      integer: true,
      formatY: (v) => String(Math.round(v * 10) / 10),
      label: (i) => String(b[i].handoffs),
      title: (i) =>
        longKey(b[i].key) +
        '：转人工 ' +
        b[i].handoffs +
        ' 次（' +
        pct(b[i].handoffRate) +
        '）' +
        used
          .filter((reason) => b[i].handoffsByReason[reason] > 0)
          .map((reason) => '，' + reasonLabel(reason) + ' ' + b[i].handoffsByReason[reason])
          .join(''),
      ariaLabel: '每' + unit + '转人工次数（按原因），合计 ' + r.totals.handoffs + ' 次',
    });
    legend(
      $('legend-handoff'),
      used.map((reason) => ({ name: reasonLabel(reason), color: REASON_COLORS[reason], value: String(r.totals.handoffsByReason[reason]) })),
    );

    var minutes = (ms) => (ms === null ? null : Math.round(ms / 600) / 100);
    lineChart($('chart-frt'), {
      keys: keys,
      series: [
        { name: 'p50', color: '#3b82f6', values: b.map((x) => minutes(x.firstResponse.p50Ms)) },
        { name: 'p90', color: ORANGE, values: b.map((x) => minutes(x.firstResponse.p90Ms)) },
      ],
      threshold: { value: r.limits.firstResponseMs / 60000, label: '5 分钟' },
      formatY: (v) => String(Math.round(v * 10) / 10),
      title: (i) =>
        longKey(b[i].key) +
        '：P50 ' +
        duration(b[i].firstResponse.p50Ms) +
        '，P90 ' +
        duration(b[i].firstResponse.p90Ms) +
        '（' +
        b[i].firstResponse.count +
        ' 次）',
      ariaLabel:
        '每' + unit + '人工首次响应时间，合计 P50 ' + duration(r.totals.firstResponse.p50Ms) + '，P90 ' + duration(r.totals.firstResponse.p90Ms),
    });
    legend($('legend-frt'), [
      { name: 'P50', color: '#3b82f6', value: duration(r.totals.firstResponse.p50Ms) },
      { name: 'P90', color: ORANGE, value: duration(r.totals.firstResponse.p90Ms) },
      { name: '首响要求', color: '#dc2626', dashed: true },
    ]);

    barChart($('chart-sla'), {
      keys: keys,
      series: [
        { name: 'first_response', color: '#f97316', values: b.map((x) => x.sla.firstResponse.breached) },
        { name: 'after_sale', color: '#8b5cf6', values: b.map((x) => x.sla.afterSale.breached) },
      ],
      integer: true,
      formatY: (v) => String(Math.round(v * 10) / 10),
      label: (i) => String(b[i].sla.firstResponse.breached + b[i].sla.afterSale.breached),
      title: (i) =>
        longKey(b[i].key) +
        '：首响超时 ' +
        b[i].sla.firstResponse.breached +
        '/' +
        b[i].sla.firstResponse.due +
        '，售后超时 ' +
        b[i].sla.afterSale.breached +
        '/' +
        b[i].sla.afterSale.due,
      ariaLabel: '每' + unit + '超时次数，首响 ' + r.totals.sla.firstResponse.breached + ' 次，售后 ' + r.totals.sla.afterSale.breached + ' 次',
    });
    legend($('legend-sla'), [
      { name: '首响超 5 分钟', color: '#f97316', value: r.totals.sla.firstResponse.breached + ' / ' + r.totals.sla.firstResponse.due },
      { name: '售后超 48 小时', color: '#8b5cf6', value: r.totals.sla.afterSale.breached + ' / ' + r.totals.sla.afterSale.due },
    ]);

    barChart($('chart-csat'), {
      keys: keys,
      series: [{ name: 'csat', color: '#f59e0b', values: b.map((x) => x.csat.average) }],
      max: 5,
      integer: true,
      formatY: (v) => String(Math.round(v * 10) / 10),
      label: (i) => (b[i].csat.average === null ? '' : b[i].csat.average.toFixed(1)),
      title: (i) =>
        longKey(b[i].key) +
        '：' +
        (b[i].csat.average === null ? '无评价' : '平均 ' + b[i].csat.average.toFixed(1) + ' 星，' + b[i].csat.count + ' 个评价'),
      ariaLabel: '每' + unit + '买家满意度平均分，合计 ' + (r.totals.csat.average === null ? '无评价' : r.totals.csat.average + ' 星'),
    });
    renderStars(r.totals.csat);

    barChart($('chart-suggest'), {
      keys: keys,
      series: [{ name: 'acceptance', color: '#10b981', values: b.map((x) => x.suggestions.acceptanceRate) }],
      max: 1,
      formatY: (v) => Math.round(v * 100) + '%',
      label: (i) => pct(b[i].suggestions.acceptanceRate),
      title: (i) =>
        longKey(b[i].key) +
        '：采纳 ' +
        pct(b[i].suggestions.acceptanceRate) +
        '（直接发送 ' +
        b[i].suggestions.sentAsIs +
        '，修改后发送 ' +
        b[i].suggestions.edited +
        '，未用 ' +
        b[i].suggestions.ignored +
        '）',
      ariaLabel: '每' + unit + '推荐回复采纳率，合计 ' + pct(r.totals.suggestions.acceptanceRate),
    });

    barChart($('chart-deals'), {
      keys: keys,
      series: [{ name: 'deals', color: '#0ea5e9', values: b.map((x) => x.deals.count) }],
      integer: true,
      formatY: (v) => String(Math.round(v * 10) / 10),
      label: (i) => b[i].deals.count + '单',
      title: (i) =>
        longKey(b[i].key) +
        '：成交 ' +
        b[i].deals.count +
        ' 单，平均优惠 ' +
        yuan(b[i].deals.averageDiscountYuan) +
        '（' +
        pct(b[i].deals.averageDiscountRate) +
        '），成交额 ' +
        yuan(b[i].deals.revenue),
      ariaLabel: '每' + unit + '议价成交数，合计 ' + r.totals.deals.count + ' 单，平均优惠 ' + yuan(r.totals.deals.averageDiscountYuan),
    });
  }

  function renderStars(csat) {
    var box = $('csat-dist');
    box.textContent = '';
    for (var s = 5; s >= 1; s--) {
      var n = csat.scores[s - 1];
      var row = document.createElement('div');
      row.className = 'star-row';
      var label = document.createElement('span');
      label.textContent = s + ' 星';
      var track = document.createElement('span');
      track.className = 'star-track';
      var fill = document.createElement('span');
      fill.className = 'star-fill';
      fill.style.width = (csat.count ? (100 * n) / csat.count : 0) + '%';
      track.appendChild(fill);
      var count = document.createElement('span');
      count.className = 'num';
      count.textContent = String(n);
      row.appendChild(label);
      row.appendChild(track);
      row.appendChild(count);
      box.appendChild(row);
    }
  }

  function renderConfused(r) {
    var body = /** @type {HTMLTableSectionElement} */ ($('table-confused').querySelector('tbody'));
    body.textContent = '';
    if (r.misunderstood.length === 0) {
      var tr = document.createElement('tr');
      var td = document.createElement('td');
      td.colSpan = 4;
      td.className = 'muted';
      td.textContent = '这段时间机器人没有听不懂的消息 🎉';
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    r.misunderstood.forEach(function (m) {
      var tr = document.createElement('tr');
      [m.text, String(m.count), String(m.conversations), localTime(m.lastAt, r.utcOffsetMinutes)].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i === 1 || i === 2) td.className = 'num';
        if (i === 0) td.className = 'msg';
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  /** @param {string} iso @param {number} offset */
  function localTime(iso, offset) {
    var d = new Date(Date.parse(iso) + offset * 60000).toISOString();
    return d.slice(5, 10) + ' ' + d.slice(11, 16);
  }

  /** The columns of the detail table (the same figures as the CSV). @type {[string, (f: any) => string][]} */
  var COLUMNS = [
    ['买家消息', (f) => String(f.buyerMessages)],
    ['自动回复率', (f) => pct(f.autoReplyRate)],
    ['转人工', (f) => String(f.handoffs)],
    ['转人工率', (f) => pct(f.handoffRate)],
    ['首响 P50', (f) => duration(f.firstResponse.p50Ms)],
    ['首响 P90', (f) => duration(f.firstResponse.p90Ms)],
    ['首响超时', (f) => f.sla.firstResponse.breached + '/' + f.sla.firstResponse.due],
    ['售后超时', (f) => f.sla.afterSale.breached + '/' + f.sla.afterSale.due],
    ['满意度', (f) => (f.csat.average === null ? '—' : f.csat.average.toFixed(1) + '（' + f.csat.count + '）')],
    ['推荐采纳率', (f) => pct(f.suggestions.acceptanceRate)],
    ['成交', (f) => String(f.deals.count)],
    ['平均优惠', (f) => yuan(f.deals.averageDiscountYuan)],
  ];

  function renderTable(r) {
    var table = $('table-buckets');
    var head = /** @type {HTMLTableSectionElement} */ (table.querySelector('thead'));
    var body = /** @type {HTMLTableSectionElement} */ (table.querySelector('tbody'));
    var foot = /** @type {HTMLTableSectionElement} */ (table.querySelector('tfoot'));
    head.textContent = '';
    body.textContent = '';
    foot.textContent = '';
    var tr = document.createElement('tr');
    [r.bucket === 'day' ? '日期' : '时段'].concat(COLUMNS.map((c) => c[0])).forEach(function (name, i) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = String(name);
      if (i > 0) th.className = 'num';
      tr.appendChild(th);
    });
    head.appendChild(tr);
    var row = function (label, f, into) {
      var tr2 = document.createElement('tr');
      var th = document.createElement('th');
      th.scope = 'row';
      th.textContent = label;
      tr2.appendChild(th);
      COLUMNS.forEach(function (c) {
        var td = document.createElement('td');
        td.className = 'num';
        td.textContent = c[1](f);
        tr2.appendChild(td);
      });
      into.appendChild(tr2);
    };
    // Hour buckets: only the hours with something in them (168 empty rows help nobody).
    r.buckets
      .filter((x) => r.bucket === 'day' || !isEmpty(x))
      .forEach(function (x) {
        row(longKey(x.key), x, body);
      });
    row('合计', r.totals, foot);
  }

  function render() {
    var r = state.report;
    if (!r) return;
    var empty = isEmpty(r.totals);
    $('empty').hidden = !empty;
    $('report').hidden = empty;
    if (empty) return;
    renderKpis(r);
    renderCharts(r);
    renderConfused(r);
    renderTable(r);
    $('foot').textContent =
      '统计 ' +
      r.from +
      ' 至 ' +
      r.to +
      '（店铺时间 UTC' +
      (r.utcOffsetMinutes >= 0 ? '+' : '-') +
      Math.abs(r.utcOffsetMinutes / 60) +
      '），读取 ' +
      r.scanned +
      ' 个会话' +
      (r.truncated ? '（会话过多，只统计了最近的部分）' : '') +
      '，生成于 ' +
      localTime(r.generatedAt, r.utcOffsetMinutes) +
      '。';
  }

  // ---- loading ------------------------------------------------------------------------
  /** @param {string} path */
  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + state.token } });
  }

  async function errorText(res) {
    try {
      var body = await res.json();
      return (body.error && (body.error.localized || body.error.message)) || '加载失败（' + res.status + '）';
    } catch (e) {
      return '加载失败（' + res.status + '）';
    }
  }

  async function load() {
    var seq = ++state.seq;
    $('range-error').hidden = true;
    setStatus('加载中…');
    document.body.classList.add('loading');
    try {
      var res = await api('/api/reports?' + query());
      if (seq !== state.seq) return;
      if (res.status === 401 || res.status === 403) {
        try {
          sessionStorage.removeItem(TOKEN_KEY);
        } catch (e) {
          /* ignore */
        }
        showLogin(res.status === 401 ? '请输入管理员令牌' : '令牌无效，只有店长/管理员可以查看报表');
        setStatus('');
        return;
      }
      if (!res.ok) {
        showError(await errorText(res));
        setStatus('无法生成报表', 'bad');
        return;
      }
      state.report = await res.json();
      $('login').hidden = true;
      $('app').hidden = false;
      render();
      setStatus('已更新 ' + localTime(state.report.generatedAt, state.report.utcOffsetMinutes), 'good');
    } catch (e) {
      if (seq === state.seq) {
        showError('网络错误，请稍后重试');
        setStatus('网络错误', 'bad');
      }
    } finally {
      if (seq === state.seq) document.body.classList.remove('loading');
    }
  }

  async function downloadCsv() {
    var btn = /** @type {HTMLButtonElement} */ ($('btn-csv'));
    btn.disabled = true;
    try {
      var res = await api('/api/reports.csv?' + query());
      if (!res.ok) {
        showError(await errorText(res));
        setStatus('导出失败', 'bad');
        return;
      }
      var blob = await res.blob();
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = '客服报表_' + input('from').value + '_' + input('to').value + (state.bucket === 'hour' ? '_按小时' : '_按天') + '.csv';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () {
        URL.revokeObjectURL(a.href);
      }, 10000);
      setStatus('已导出 CSV', 'good');
    } catch (e) {
      showError('导出失败，请稍后重试');
      setStatus('导出失败', 'bad');
    } finally {
      btn.disabled = false;
    }
  }

  /** @param {string} bucket */
  function setBucket(bucket) {
    state.bucket = bucket;
    document.querySelectorAll('.seg button').forEach(function (b) {
      b.setAttribute('aria-checked', String(/** @type {HTMLElement} */ (b).dataset.bucket === bucket));
    });
    // Hours read as a chart for a week at most: a longer range shrinks to its last 7 days.
    if (bucket === 'hour') {
      var to = input('to').value;
      var limit = addDays(to, -6);
      if (input('from').value < limit) input('from').value = limit;
    }
  }

  function init() {
    var offset = 480;
    var today = shopToday(offset);
    input('to').value = today;
    input('from').value = addDays(today, -6);
    document.querySelectorAll('.presets button').forEach(function (b) {
      b.addEventListener('click', function () {
        var days = Number(/** @type {HTMLElement} */ (b).dataset.days);
        var end = shopToday(state.report ? state.report.utcOffsetMinutes : offset);
        input('to').value = end;
        input('from').value = addDays(end, -(days - 1));
        if (days > 7 && state.bucket === 'hour') setBucket('day');
        load();
      });
    });
    document.querySelectorAll('.seg button').forEach(function (b) {
      b.addEventListener('click', function () {
        setBucket(/** @type {HTMLElement} */ (b).dataset.bucket || 'day');
        load();
      });
    });
    $('controls').addEventListener('submit', function (e) {
      e.preventDefault();
      load();
    });
    ['from', 'to'].forEach(function (id) {
      input(id).addEventListener('change', function () {
        if (input('from').value && input('to').value) load();
      });
    });
    $('btn-csv').addEventListener('click', downloadCsv);
    $('login-form').addEventListener('submit', function (e) {
      e.preventDefault();
      state.token = input('token-input').value.trim();
      if (!state.token) return;
      try {
        sessionStorage.setItem(TOKEN_KEY, state.token);
      } catch (err) {
        /* private mode */
      }
      load();
    });
    var resizeTimer = 0;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(render, 150);
    });
    state.token = readToken();
    if (state.token) {
      $('app').hidden = false;
      load();
    } else showLogin('');
  }

  init();
})();
