// The search page: Pagefind's JS API behind a plain form. The index (pagefind.js, its WebAssembly
// and index chunks) is fetched only once the visitor uses search: focus, typing, a filter, or
// arriving with a query from the header box. Text comes from the page's data-* attributes, so
// the interface speaks the page's language. Without JavaScript the form stays hidden and the
// page's <noscript> note and listing links remain.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var form = root.querySelector(".search__form");
  var input = form.querySelector("input[name=q]");
  var sortSelect = form.querySelector("select[name=sort]");
  var controls = form.querySelectorAll("[data-filter]");
  var status = root.querySelector(".search__status");
  var list = root.querySelector(".search__results");
  var moreButton = root.querySelector(".search__more");
  var PAGE = 10;
  var pagefind = null; // a promise, once search is used
  var latest = 0; // a newer search makes older answers stale
  var results = [];
  var shown = 0;
  var timer = null;

  function text(name, count) {
    return root.getAttribute("data-" + name).replace("{count}", String(count));
  }

  function json(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  // A large site's index comes in shards (sitegen/search.py): the first is pagefind/ itself,
  // the others are merged into it, and Pagefind then ranks their results together.
  function load() {
    if (!pagefind) {
      // honours the base path: the URL comes from the page, and Pagefind derives result URLs
      // from where pagefind.js was loaded
      var url = root.getAttribute("data-pagefind");
      var folder = url.slice(0, url.lastIndexOf("/") + 1);
      pagefind = Promise.all([import(url), json(folder + "shards.json")]).then(function (got) {
        var pf = got[0];
        var shards = got[1].map(function (name) { return folder + name; });
        return pf.init()
          .then(function () {
            return Promise.all(shards.map(function (shard) { return pf.mergeIndex(shard); }));
          })
          .then(function () { return { pf: pf, folders: [folder].concat(shards), ranks: null }; });
      });
    }
    return pagefind;
  }

  // Each shard sorts only its own results, and merged results come in order of relevance:
  // sorted, they are put in order by each page's place in the whole site, which every shard
  // lists in its ranks.json (fetched on the first sorted search).
  function ordered(index, found, name) {
    if (index.folders.length === 1) return Promise.resolve(found);
    if (!index.ranks) {
      index.ranks = Promise.all(index.folders.map(function (f) { return json(f + "ranks.json"); }));
    }
    return index.ranks.then(function (shards) {
      function rank(result) {
        for (var i = 0; i < shards.length; i++) {
          var place = (shards[i][name] || {})[result.id];
          if (place !== undefined) return place;
        }
        return Infinity;
      }
      return found
        .map(function (result) { return { result: result, rank: rank(result) }; })
        .sort(function (a, b) { return a.rank - b.rank; })
        .map(function (pair) { return pair.result; });
    });
  }

  function state() {
    var filters = {};
    var any = false;
    controls.forEach(function (el) {
      var value = el.type === "checkbox" ? (el.checked ? el.value : "") : el.value;
      if (value) { filters[el.getAttribute("data-filter")] = value; any = true; }
    });
    var sort = {};
    if (sortSelect.value) sort[sortSelect.value] = "asc";
    return { query: input.value.trim(), filters: filters, any: any, sort: sort, sorted: !!sortSelect.value };
  }

  // The address keeps the query, so a search can be shared, reloaded or left with Back.
  function remember() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim()) params.append(name, String(value).trim());
    });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    sortSelect.value = params.get("sort") || "";
    controls.forEach(function (el) {
      var value = params.get(el.name) || "";
      if (el.type === "checkbox") el.checked = value === el.value;
      else el.value = value;
    });
    if (Array.prototype.some.call(controls, function (el) { return el.type === "checkbox" ? el.checked : el.value; })) {
      form.querySelector("details").open = true;
    }
  }

  function show(message) {
    status.textContent = message;
  }

  function clear() {
    results = [];
    shown = 0;
    list.replaceChildren();
    list.hidden = true;
    moreButton.hidden = true;
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function item(data) {
    var meta = data.meta;
    var link = el("a", "result__link");
    link.href = data.url;
    if (meta.image) {
      var img = el("img", "result__thumb");
      img.src = meta.image;
      img.alt = "";
      img.loading = "lazy";
      img.decoding = "async";
      link.append(img);
    } else {
      var tile = el("span", "result__thumb result__thumb--none", (meta.title || "").slice(0, 1));
      tile.setAttribute("aria-hidden", "true");
      link.append(tile);
    }
    var body = el("span", "result__body");
    var title = el("span", "result__title", meta.title);
    var kicker = el("span", "result__kicker", [meta.type, meta.when, meta.ward].filter(Boolean).join(" · "));
    var summary = el("span", "result__text", meta.summary);
    if (meta.lang) { title.lang = meta.lang; summary.lang = meta.lang; }
    body.append(title, kicker, summary);
    link.append(body);
    var li = el("li", "result");
    li.append(link);
    return li;
  }

  function more(token, focus) {
    var batch = results.slice(shown, shown + PAGE);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      if (token !== latest) return;
      var items = pages.map(item);
      list.append.apply(list, items);
      shown += batch.length;
      list.hidden = shown === 0;
      moreButton.hidden = shown >= results.length;
      // keyboard users carry on from the first new result, not from the top of the page
      if (focus && items.length) items[0].querySelector("a").focus();
    });
  }

  function run() {
    var token = ++latest;
    var s = state();
    remember();
    if (!s.query && !s.any && !s.sorted) {
      clear();
      show("");
      return Promise.resolve();
    }
    if (!pagefind) show(text("loading"));
    return load()
      .then(function (index) {
        return index.pf.search(s.query || null, { filters: s.filters, sort: s.sort })
          .then(function (search) {
            return s.sorted ? ordered(index, search.results, sortSelect.value) : search.results;
          });
      })
      .then(function (found) {
        if (token !== latest) return;
        clear();
        results = found;
        var count = results.length;
        // announced once the first results are on the page
        return more(token, false).then(function () {
          if (token !== latest) return;
          show(count === 0 ? text("none") : count === 1 ? text("result-one") : text("results", count));
        });
      })
      .catch(function (error) {
        if (token !== latest) return;
        clear();
        show(text("failed"));
        console.error(error);
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  }

  form.hidden = false;
  form.addEventListener("focusin", function () {
    load().catch(function () {}); // run() reports a failure, when there is a search to run
  }, { once: true });
  form.addEventListener("input", function (event) {
    if (event.target === input) soon();
    else run();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  moreButton.addEventListener("click", function () {
    more(latest, true);
  });
  restore();
  if (location.search) run();
})();
