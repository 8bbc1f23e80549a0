// @ts-check
/* Fills the demo product page from /api/shop/demo/product, wires the "咨询客服" button to the
   widget and adds the widget script tag. A real shop renders that tag on its server, with
   data-buyer / data-buyer-sig for a logged-in buyer; the demo lets the visitor pick a demo
   buyer instead (?buyer=B002), from GET /api/demo/buyers, which exists only in demo mode.
   Values are set with textContent only. */
(function () {
  'use strict';
  var SHOP = 'demo';
  // Order status labels: /labels.js (src/model/labels.ts), loaded first.
  var ORDER_STATUS = (window.KefuLabels || { orderStatus: {} }).orderStatus;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }
  function chips(id, values) {
    var box = document.getElementById(id);
    if (!box) return;
    values.forEach(function (v) {
      var b = document.createElement('span');
      b.className = 'chip';
      b.textContent = v;
      box.appendChild(b);
    });
  }
  function unique(list) {
    return list.filter(function (v, i) {
      return list.indexOf(v) === i;
    });
  }

  fetch('/api/shop/' + SHOP + '/product')
    .then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error(String(r.status)));
    })
    .then(function (data) {
      var p = data.product;
      text('shop-name', data.shopName);
      text('product-name', p.name);
      text('product-price', String(p.price));
      text('product-description', p.description);
      document.title = p.name + ' · ' + data.shopName;
      if (data.freeShippingFrom) {
        var tag = document.getElementById('free-shipping');
        tag.textContent = '满' + data.freeShippingFrom + '包邮';
        tag.hidden = false;
      }
      chips(
        'sizes',
        unique(
          p.variants.map(function (v) {
            return v.size;
          }),
        ),
      );
      chips(
        'colors',
        unique(
          p.variants.map(function (v) {
            return v.color;
          }),
        ),
      );
    })
    .catch(function () {
      text('product-description', '商品信息暂时无法加载');
    });

  document.getElementById('ask').addEventListener('click', function () {
    if (window.KefuWidget) window.KefuWidget.open();
  });

  /** Adds the widget, as a shop page would: signed buyer attributes only for a logged-in buyer. */
  function addWidget(buyer) {
    var s = document.createElement('script');
    s.src = '/widget.js';
    s.async = true;
    s.setAttribute('data-shop', SHOP);
    if (buyer) {
      s.setAttribute('data-buyer', buyer.id);
      s.setAttribute('data-buyer-sig', buyer.signature);
      s.setAttribute('data-open', 'true');
    }
    document.body.appendChild(s);
  }

  function buyerLabel(b) {
    var label = b.name + '（' + b.id + '）';
    if (b.order) label += ' · 订单 ' + b.order.number + ' ' + (ORDER_STATUS[b.order.status] || b.order.status);
    return label;
  }

  function showSwitcher(buyers, current) {
    var select = /** @type {HTMLSelectElement} */ (document.getElementById('demo-buyer'));
    buyers.forEach(function (b) {
      var o = document.createElement('option');
      o.value = b.id;
      o.textContent = buyerLabel(b);
      select.appendChild(o);
    });
    select.value = current ? current.id : '';
    text('demo-hint', current ? '试试问：我的快递到哪了' : '选一位买家，看看机器人如何查到 TA 的订单');
    select.addEventListener('change', function () {
      var url = new URL(location.href);
      if (select.value) url.searchParams.set('buyer', select.value);
      else url.searchParams.delete('buyer');
      location.assign(url.href);
    });
    document.getElementById('demo-bar').hidden = false;
  }

  var wanted = new URL(location.href).searchParams.get('buyer');
  if (!wanted) addWidget(null); // an anonymous visitor needs no list to start chatting

  fetch('/api/demo/buyers')
    .then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error(String(r.status)));
    })
    .then(function (data) {
      var buyers = Array.isArray(data.buyers) ? data.buyers : [];
      var current = wanted
        ? buyers.filter(function (b) {
            return b.id === wanted;
          })[0] || null
        : null;
      if (wanted) addWidget(current);
      showSwitcher(buyers, current);
    })
    .catch(function () {
      // Not in demo mode (or the list failed): the page is an anonymous storefront.
      if (wanted) addWidget(null);
    });
})();
