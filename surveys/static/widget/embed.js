/* Postventa reviews widget. No dependencies; renders into a Shadow DOM.
   <div data-postventa-reviews data-key="WIDGET_KEY" data-sku="SKU" data-lang="es"></div>
   <span data-postventa-stars data-key="WIDGET_KEY" data-sku="SKU"></span>   (a star badge; one request for all)
   <script src="https://HOST/widget/v1/embed.js" defer></script>
   Theme from the host page: --pv-accent, --pv-star, --pv-text, --pv-muted, --pv-bg, --pv-border,
   --pv-font, --pv-radius. Review text is only ever inserted as text nodes. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\/widget\/v1\/embed\.js.*$/, "") : "";
  // The words in each language, filled in from the .po catalogues when served (surveys/widget_strings.py).
  var T = {/* strings */};
  var CSS =
    // The shop's rules for the host element beat :host, and the widget would inherit them: the
    // reviews box starts again from initial values at .w (sizes in em of its 16px, never rem); a
    // badge is inline and takes the size of the title or sentence it sits in.
    ":host{all:initial;display:block}:host([data-postventa-stars]){display:inline;font-size:inherit;line-height:inherit}" +
    ".w{all:initial;display:block;font-size:16px;line-height:1.5;font-family:var(--pv-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);color:var(--pv-text,#1f2937);" +
    "background:var(--pv-bg,#fff);border:1px solid var(--pv-border,#d1d5db);border-radius:var(--pv-radius,10px);padding:16px;max-width:760px}" +
    ".sum{display:flex;flex-wrap:wrap;gap:16px 32px;align-items:center}" +
    ".avg{font-size:2.25em;font-weight:700;line-height:1}.cnt,.muted{color:var(--pv-muted,#4b5563);font-size:.9em}" +
    ".st{color:var(--pv-star,#b45309);letter-spacing:2px;white-space:nowrap}.st span{position:relative;display:inline-block}" +
    ".st .e,.st .h{color:var(--pv-border,#9ca3af)}.st .h:before{content:'★';position:absolute;left:0;width:50%;overflow:hidden;color:var(--pv-star,#b45309)}" +
    ".bdg{display:inline-flex;gap:4px;align-items:center;font-size:.9em;font-weight:400;font-family:var(--pv-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif)}.bdg .st{letter-spacing:0}" +
    ".bars{list-style:none;margin:0;padding:0;min-width:220px;flex:1}.bars .bar{display:flex;gap:8px;align-items:center;width:100%;" +
    "font-size:.85em;min-height:32px;padding:0 6px;border:1px solid transparent;color:inherit}.bar[aria-pressed=true]{border-color:var(--pv-accent,#0f766e);font-weight:700}" +
    ".tools{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin-top:16px;font-size:.9em}.flt{margin:0}.flt button{margin-left:8px}" +
    "select{font:inherit;min-height:44px;border-radius:8px;border:1px solid var(--pv-border,#9ca3af);padding:0 8px;background:var(--pv-bg,#fff);color:inherit}" +
    ".tr{flex:1;height:8px;background:#e5e7eb;border-radius:4px;overflow:hidden}.fi{display:block;height:100%;background:var(--pv-star,#b45309)}" +
    ".bars .n{min-width:2.5em;text-align:right}" +
    "ol.rv{list-style:none;margin:16px 0 0;padding:0}ol.rv>li{border-top:1px solid var(--pv-border,#e5e7eb);padding:14px 0}" +
    "h3{font-size:1em;margin:4px 0}p{margin:4px 0;white-space:pre-line;overflow-wrap:anywhere}" +
    ".meta{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;font-size:.85em;color:var(--pv-muted,#4b5563)}" +
    ".ver{color:#166534;font-weight:600}.rep{margin:8px 0 0 12px;padding:8px 12px;border-left:3px solid var(--pv-accent,#0f766e);background:#f3f4f6;border-radius:4px}" +
    ".rep b{display:block;font-size:.85em}.nav{display:flex;gap:12px;align-items:center;justify-content:center;margin-top:12px}" +
    "button{font:inherit;min-height:44px;padding:0 16px;border-radius:8px;border:1px solid var(--pv-accent,#0f766e);color:var(--pv-accent,#0f766e);background:transparent;cursor:pointer}" +
    "button:disabled{opacity:.45;cursor:default}button:focus-visible,a:focus-visible,select:focus-visible,li:focus-visible{outline:3px solid var(--pv-accent,#0f766e);outline-offset:2px}" +
    "a{color:var(--pv-accent,#0f766e)}.how{display:inline-block;margin-top:12px;font-size:.85em}" +
    ".ph{list-style:none;display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 4px;padding:0}.ph a{display:block;line-height:0;border-radius:8px}" +
    ".ph img{width:72px;height:72px;object-fit:cover;border-radius:8px;border:1px solid var(--pv-border,#e5e7eb);background:#f3f4f6}" +
    "dialog.vw{border:0;border-radius:12px;padding:12px;width:min(94vw,1000px);max-height:94vh;box-sizing:border-box;background:#111827;color:#fff;" +
    "font-family:var(--pv-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif)}dialog.vw::backdrop{background:rgba(0,0,0,.78)}" +
    ".vw .vh,.vw .vn{display:flex;justify-content:space-between;align-items:center;gap:12px}.vw button{color:#fff;border-color:#fff}" +
    ".vw img{display:block;max-width:100%;max-height:calc(94vh - 150px);width:auto;height:auto;margin:10px auto;object-fit:contain}" +
    ".vw button:focus-visible{outline:3px solid #fbbf24;outline-offset:2px}" +
    "@media (max-width:480px){.w{padding:12px}.avg{font-size:1.8em}}" +
    "@media (prefers-reduced-motion:no-preference){.fi{transition:width .3s}}";

  function lang(el) {
    var l = (el.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "es").slice(0, 2).toLowerCase();
    return T[l] ? l : "es";
  }
  function fmt(s, o) { return s.replace(/\{(\w)\}/g, function (_, k) { return o[k]; }); }
  function plural(pair, n) { return n === 1 ? pair[0] : pair[1]; }
  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.appendChild(document.createTextNode(String(text)));
    return e;
  }
  function stars(value, t, l, label) {
    // Nearest half star: 3.5 shows three full stars and a half, never four.
    var v = Math.round(value * 2) / 2, s = h("span", "st");
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", label || (l === "es" ? String(value).replace(".", ",") : value) + " " + t.of + " " + t.stars[1]); // "out of 5 stars", whatever the value
    s.setAttribute("data-value", v);
    for (var i = 1; i <= 5; i++) s.appendChild(h("span", v >= i ? "f" : v >= i - 0.5 ? "h" : "e", "★"));
    return s;
  }
  function num(v, l) { return l === "es" ? v.toFixed(1).replace(".", ",") : v.toFixed(1); }
  function date(iso, l) {
    try { return new Intl.DateTimeFormat(l, { year: "numeric", month: "long", day: "numeric" }).format(new Date(iso)); }
    catch (e) { return iso.slice(0, 10); }
  }

  var sheet = null;
  function style(root) {
    // A constructed stylesheet is not an inline <style>, so a strict host CSP still allows it.
    try {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } catch (e) { var st = h("style"); st.textContent = CSS; root.appendChild(st); }
  }
  function report() {
    if (window.parent !== window) window.parent.postMessage(Math.ceil(document.documentElement.scrollHeight), "*");
  }

  function bar(t, s, c, total, pressed) {
    var li = h("li"), bt = h("button", "bar"), tr = h("span", "tr"), fi = h("span", "fi");
    bt.type = "button"; bt.setAttribute("data-f", "r" + s);
    bt.setAttribute("aria-label", fmt(plural(t.bar, s), { s: s, c: c })); bt.setAttribute("aria-pressed", pressed ? "true" : "false");
    bt.disabled = !c && !pressed;
    fi.style.width = (total ? Math.round((100 * c) / total) : 0) + "%";
    tr.appendChild(fi);
    bt.appendChild(h("span", null, s + "★")); bt.appendChild(tr); bt.appendChild(h("span", "n", c));
    li.appendChild(bt);
    return li;
  }
  function item(rv, t, l) {
    var li = h("li"), meta = h("div", "meta");
    li.tabIndex = -1;
    li.appendChild(stars(rv.rating, t, l));
    if (rv.title) li.appendChild(h("h3", null, rv.title));
    if (rv.body) li.appendChild(h("p", null, rv.body));
    meta.appendChild(h("span", null, rv.author));
    if (rv.verified) meta.appendChild(h("span", "ver", "✓ " + t.verified));
    var tm = h("time", null, date(rv.created_at, l)); tm.setAttribute("datetime", rv.created_at);
    meta.appendChild(tm); li.appendChild(meta);
    if (rv.photos && rv.photos.length) li.appendChild(thumbs(rv, t));
    if (rv.reply && rv.reply.body) {
      var rep = h("div", "rep"); rep.appendChild(h("b", null, t.reply)); rep.appendChild(h("p", null, rv.reply.body));
      li.appendChild(rep);
    }
    return li;
  }
  // Customers' photos: lazy thumbnails that link to the full image; with <dialog> support a
  // click or Enter opens a viewer (focus moves in and comes back, Esc closes, arrows move).
  function thumbs(rv, t) {
    var ul = h("ul", "ph"), n = rv.photos.length;
    rv.photos.forEach(function (p, i) {
      var li = h("li"), a = h("a"), img = h("img");
      a.href = p.url; a.target = "_blank"; a.rel = "noopener";
      img.src = p.thumb_url; img.loading = "lazy"; img.decoding = "async"; img.width = 72; img.height = 72;
      img.alt = fmt(t.photo, { i: i + 1, n: n, a: rv.author });
      a.onclick = function (e) {
        var root = a.getRootNode();
        if (!root || !window.HTMLDialogElement) return;
        e.preventDefault();
        viewer(root, rv, i, t, a);
      };
      a.appendChild(img); li.appendChild(a); ul.appendChild(li);
    });
    return ul;
  }
  function viewer(root, rv, at, t, opener) {
    var old = root.querySelector("dialog.vw");
    if (old) old.remove();
    var d = h("dialog", "vw"), top = h("div", "vh"), count = h("span", "vc"), x = h("button", "x", "✕ " + t.close);
    var img = h("img"), nav = h("div", "vn"), prev = h("button", "vp", "‹ " + t.prevPhoto), next = h("button", "vx", t.nextPhoto + " ›");
    var n = rv.photos.length;
    d.setAttribute("aria-label", fmt(t.viewer, { a: rv.author }));
    count.setAttribute("aria-live", "polite");
    x.type = prev.type = next.type = "button";
    function show(i) {
      at = (i + n) % n;
      var p = rv.photos[at];
      img.src = p.url; img.width = p.width; img.height = p.height;
      img.alt = fmt(t.photo, { i: at + 1, n: n, a: rv.author });
      count.textContent = fmt(t.count, { i: at + 1, n: n });
    }
    x.onclick = function () { d.close(); };
    prev.onclick = function () { show(at - 1); };
    next.onclick = function () { show(at + 1); };
    d.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { e.preventDefault(); show(at - 1); }
      else if (e.key === "ArrowRight") { e.preventDefault(); show(at + 1); }
    });
    d.addEventListener("click", function (e) { if (e.target === d) d.close(); }); // the backdrop
    d.addEventListener("close", function () { d.remove(); if (opener && opener.isConnected) opener.focus(); });
    top.appendChild(count); top.appendChild(x);
    d.appendChild(top); d.appendChild(img);
    if (n > 1) { nav.appendChild(prev); nav.appendChild(next); d.appendChild(nav); }
    show(at);
    (root.querySelector(".w") || root).appendChild(d);
    d.showModal();
    x.focus();
  }
  function tools(t, st, act) {
    var box = h("div", "tools"), lab = h("label", null, t.sort + " "), sel = h("select");
    sel.setAttribute("data-f", "sort");
    ["newest", "highest", "lowest", "photos"].forEach(function (k) {
      var o = h("option", null, t.sorts[k]); o.value = k; o.selected = st.sort === k; sel.appendChild(o);
    });
    sel.onchange = function () { act("sort", sel.value); };
    lab.appendChild(sel); box.appendChild(lab);
    if (st.rating) {
      var f = h("p", "flt", fmt(plural(t.only, st.rating), { s: st.rating })), all = h("button", null, t.all);
      f.setAttribute("role", "status"); all.type = "button"; all.setAttribute("data-f", "all");
      all.onclick = function () { act("rating", st.rating); };
      f.appendChild(all); box.appendChild(f);
    }
    return box;
  }

  function render(root, data, l, st, act) {
    var t = T[l], r = data.rating, w = h("section", "w");
    w.setAttribute("aria-label", t.list + ": " + data.product.name);
    while (root.firstChild) root.removeChild(root.firstChild);
    style(root);
    if (!r.count) {
      w.appendChild(h("p", "muted", t.none));
    } else {
      var sum = h("div", "sum"), left = h("div");
      left.appendChild(h("div", "avg", num(r.average, l)));
      left.appendChild(stars(r.average, t, l));
      left.appendChild(h("div", "cnt", r.count + " " + plural(t.reviews, r.count)));
      var bars = h("ul", "bars");
      bars.setAttribute("aria-label", t.dist);
      for (var s = 5; s >= 1; s--) {
        var li = bar(t, s, r.distribution[String(s)] || 0, r.count, st.rating === s);
        li.firstChild.onclick = (function (n) { return function () { act("rating", n); }; })(s);
        bars.appendChild(li);
      }
      sum.appendChild(left); sum.appendChild(bars); w.appendChild(sum);
      w.appendChild(tools(t, st, act));
      var ol = h("ol", "rv");
      ol.setAttribute("aria-label", t.list); ol.tabIndex = -1;
      st.items.forEach(function (rv) { ol.appendChild(item(rv, t, l)); });
      w.appendChild(ol);
      if (st.phone && data.page < data.pages) {
        var more = h("button", "more", t.more); more.type = "button";
        more.onclick = function () { act("more"); };
        var mn = h("div", "nav"); mn.appendChild(more); w.appendChild(mn);
      } else if (!st.phone && data.pages > 1) {
        var nav = h("nav", "nav"), prev = h("button", null, t.prev), next = h("button", null, t.next);
        var label = fmt(t.page, { p: data.page, n: data.pages });
        nav.setAttribute("aria-label", label);
        prev.type = next.type = "button";
        prev.setAttribute("data-f", "prev"); next.setAttribute("data-f", "next");
        prev.disabled = data.page <= 1; next.disabled = data.page >= data.pages;
        prev.onclick = function () { act("page", data.page - 1); };
        next.onclick = function () { act("page", data.page + 1); };
        nav.appendChild(prev); nav.appendChild(h("span", "muted", label)); nav.appendChild(next);
        w.appendChild(nav);
      }
    }
    var how = h("a", "how", t.how);
    how.href = base + "/widget/v1/" + encodeURIComponent(root.host.getAttribute("data-key")) + "/policy?lang=" + l;
    how.target = "_blank"; how.rel = "noopener";
    w.appendChild(how);
    root.appendChild(w);
  }

  function mountFrame(el, key, sku, l) {
    var f = document.createElement("iframe");
    f.src = base + "/widget/v1/" + encodeURIComponent(key) + "/products/" + encodeURIComponent(sku) + "/frame?lang=" + l;
    f.title = T[l].list; f.loading = "lazy";
    f.style.cssText = "border:0;width:100%;height:320px;display:block";
    el.appendChild(f);
    window.addEventListener("message", function (e) {
      // Only our frame's own messages, and only a height in pixels.
      if (e.source !== f.contentWindow || e.origin !== new URL(base, location.href).origin) return;
      if (typeof e.data === "number" && isFinite(e.data) && e.data > 0 && e.data < 20000) f.style.height = Math.ceil(e.data) + "px";
    });
  }

  function mount(el) {
    if (el.getAttribute("data-pv-mounted")) return;
    el.setAttribute("data-pv-mounted", "1");
    var key = el.getAttribute("data-key"), sku = el.getAttribute("data-sku"), l = lang(el), per;
    if (!key || !sku || !base || !window.fetch) return;
    if (el.hasAttribute("data-iframe")) return mountFrame(el, key, sku, l);
    var root = el.attachShadow ? el.attachShadow({ mode: "open" }) : null;
    if (!root) return;
    var url = base + "/widget/v1/" + encodeURIComponent(key) + "/products/" + encodeURIComponent(sku) + "/reviews.json";
    // Phones get 5 reviews and "show more"; wider screens 10 per page with previous/next.
    var phone = !!(window.matchMedia && window.matchMedia("(max-width: 600px)").matches);
    var st = { page: 1, rating: null, sort: "newest", items: [], phone: phone }, seq = 0;
    per = phone ? 5 : 10;
    function load(page, append, focus) {
      var n = ++seq, q = "?page=" + page + "&per_page=" + per + "&lang=" + l;
      if (st.rating) q += "&rating=" + st.rating;
      if (st.sort !== "newest") q += "&sort=" + st.sort;
      fetch(url + q, { credentials: "omit", mode: "cors" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.rating || n !== seq) return;
          var before = append ? st.items.length : 0;
          st.page = data.page; st.items = (append ? st.items : []).concat(data.reviews);
          render(root, data, l, st, act);
          var f = focus === "new" ? root.querySelectorAll("ol.rv > li")[before] : focus && root.querySelector('[data-f="' + focus + '"]');
          if (f && f.disabled) f = null;
          if (focus && !f) f = root.querySelector("ol.rv");
          if (f) f.focus();
          if (el.hasAttribute("data-in-frame")) report();
        })
        .catch(function () { /* the shop page must not notice an outage */ });
    }
    function act(kind, value) {
      if (kind === "rating") { st.rating = st.rating === value ? null : value; load(1, false, "r" + value); }
      else if (kind === "sort") { st.sort = value; load(1, false, "sort"); }
      else if (kind === "more") load(st.page + 1, true, "new");
      else load(value, false, value > st.page ? "next" : "prev");
    }
    if (el.hasAttribute("data-in-frame") && window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
    load(1, false, null);
  }

  function badge(el, r) {
    var l = lang(el), t = T[l], root = el.attachShadow({ mode: "open" }), b = h("span", "bdg");
    style(root);
    var label = fmt(t.badge, { a: num(r.average, l), c: r.count, w: plural(t.reviews, r.count) });
    b.appendChild(stars(r.average, t, l, label));
    var c = h("span", "cnt", "(" + r.count + ")"); c.setAttribute("aria-hidden", "true");
    b.appendChild(c); root.appendChild(b);
  }
  function badges() {
    // One request per store key (and per 100 SKUs) for every badge on the page.
    var els = document.querySelectorAll("[data-postventa-stars]"), groups = {};
    for (var i = 0; i < els.length; i++) {
      var el = els[i], key = el.getAttribute("data-key"), sku = el.getAttribute("data-sku");
      if (!key || !sku || el.getAttribute("data-pv-mounted") || !el.attachShadow) continue;
      el.setAttribute("data-pv-mounted", "1");
      (groups[key] = groups[key] || []).push(el);
    }
    Object.keys(groups).forEach(function (key) {
      var all = groups[key], skus = [];
      all.forEach(function (el) { var s = el.getAttribute("data-sku"); if (skus.indexOf(s) < 0) skus.push(s); });
      for (var i = 0; i < skus.length; i += 100) {
        var part = skus.slice(i, i + 100);
        fetch(base + "/widget/v1/" + encodeURIComponent(key) + "/ratings.json?skus=" + part.map(encodeURIComponent).join(","), { credentials: "omit", mode: "cors" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            all.forEach(function (el) { var r = data && data[el.getAttribute("data-sku")]; if (r && r.count) badge(el, r); });
          })
          .catch(function () { /* the shop page must not notice an outage */ });
      }
    });
  }

  function start() {
    var els = document.querySelectorAll("[data-postventa-reviews]");
    for (var i = 0; i < els.length; i++) { try { mount(els[i]); } catch (e) { /* never break the host page */ } }
    if (window.fetch) try { badges(); } catch (e) { /* never break the host page */ }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
