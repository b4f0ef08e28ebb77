/*
 * Volunteer reference desk: instant search, country panels, route finder, copy for the person.
 *
 * No dependencies, no inline code (the page's CSP allows only this file), no storage of any kind
 * (no cookies, localStorage, sessionStorage or caches). Text from the server reaches the page as text
 * nodes only: the search JSON carries plain text with [start, end] ranges for bold, links and matches.
 * Everything but search is in the page already, so the panels and the route finder keep working
 * when the connection drops; search then falls back to a simple match over the page's own facts.
 */
(function () {
  'use strict';

  var SEARCH_URL = 'search';
  var DEBOUNCE_MS = 120;
  var MAX_OFFLINE = 12;
  var STOP = ' a an and are as at be by can do does for from how i if in is it its me my of on or so that the ' +
    'their them they this to was what when where which who why will with you your ';

  var doc = document;
  var q = doc.getElementById('q');
  var form = doc.getElementById('search-form');
  var results = doc.getElementById('results');
  var status = doc.getElementById('status');
  var select = doc.getElementById('country-select');
  var panels = Array.prototype.slice.call(doc.querySelectorAll('[data-panel]'));
  var victim = doc.getElementById('route-victim');
  var harasser = doc.getElementById('route-harasser');
  var routeOut = doc.getElementById('route-result');
  var parts = doc.getElementById('route-parts');
  var copies = new WeakMap();
  var seq = 0;
  var timer = null;
  var inflight = null;
  var announcer = make('p', { 'class': 'sr', role: 'status', 'aria-live': 'polite' });
  var cloneCount = 0;

  doc.body.appendChild(announcer);

  function make(tag, attrs, text) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function countryName(code) {
    var option = select && select.querySelector('option[value="' + code + '"]');
    return option ? option.textContent : code;
  }

  // -- a line of text with its ranges --------------------------------------------------------------

  function rangeAt(ranges, position) {
    for (var i = 0; i < (ranges || []).length; i++) {
      if (ranges[i][0] <= position && position < ranges[i][1]) { return ranges[i]; }
    }
    return null;
  }

  function renderLine(container, line) {
    var text = line.text || '';
    var cuts = [0, text.length];
    [line.strong, line.links, line.marks].forEach(function (ranges) {
      (ranges || []).forEach(function (r) { cuts.push(r[0], r[1]); });
    });
    cuts = cuts.filter(function (c, i, all) { return c >= 0 && c <= text.length && all.indexOf(c) === i; })
      .sort(function (a, b) { return a - b; });
    var link = null;
    var linkRange = null;
    for (var i = 0; i < cuts.length - 1; i++) {
      var start = cuts[i];
      var node = doc.createTextNode(text.slice(start, cuts[i + 1]));
      if (rangeAt(line.marks, start)) { var m = make('mark'); m.appendChild(node); node = m; }
      if (rangeAt(line.strong, start)) { var s = make('strong'); s.appendChild(node); node = s; }
      var range = rangeAt(line.links, start);
      if (range) {
        var url = text.slice(range[0], range[1]);
        if (range !== linkRange && /^https:\/\/[^\s]+$/.test(url)) {
          link = make('a', { href: url });
          container.appendChild(link);
          linkRange = range;
        }
        (range === linkRange ? link : container).appendChild(node);
      } else {
        link = null;
        linkRange = null;
        container.appendChild(node);
      }
    }
    return container;
  }

  // -- search results -------------------------------------------------------------------------------

  function meta(sources, reviewed, reviewedText) {
    var p = make('p', { 'class': 'meta' }, sources.length === 1 ? 'Source: ' : 'Sources: ');
    sources.forEach(function (url, i) {
      if (i) { p.appendChild(doc.createTextNode(', ')); }
      p.appendChild(/^https:\/\//.test(url) ? make('a', { href: url }, url) : doc.createTextNode(url));
    });
    p.appendChild(doc.createTextNode('. Checked '));
    p.appendChild(make('time', { datetime: reviewed }, reviewedText));
    p.appendChild(doc.createTextNode('.'));
    return p;
  }

  function resultCard(result, n) {
    var id = 'r' + n;
    var card = make('article', { 'class': 'fact fact-' + result.kind, 'aria-labelledby': id + '-t', 'data-id': result.id });
    var title = renderLine(make('h4', { 'class': 'fact-title', id: id + '-t' }), result.title);
    title.appendChild(make('span', { 'class': 'place' }, result.place));
    card.appendChild(title);
    result.key.forEach(function (line) { card.appendChild(renderLine(make('p', { 'class': 'line' }), line)); });
    var more = make('details');
    more.appendChild(make('summary', {}, 'Everything on this'));
    result.full.forEach(function (group) {
      if (group.label) {
        more.appendChild(make('p', { 'class': group.label === 'Does not' ? 'label label-not' : 'label' }, group.label));
      }
      var list = make(group.ordered ? 'ol' : 'ul', { 'class': group.label === 'Does not' ? 'lines does-not' : 'lines' });
      group.lines.forEach(function (line) { list.appendChild(renderLine(make('li'), line)); });
      more.appendChild(list);
    });
    card.appendChild(more);
    card.appendChild(meta(result.sources, result.reviewed, result.reviewed_text));
    var button = make('button', { type: 'button', 'class': 'copy', 'aria-describedby': id + '-t' }, 'Copy for the person');
    copies.set(button, result.copy);
    card.appendChild(button);
    return card;
  }

  function openButtons(places) {
    var seen = {};
    return (places || []).filter(function (p) {
      var keep = p.country && !seen[p.country] && select.querySelector('option[value="' + p.country + '"]');
      seen[p.country] = true;
      return keep;
    }).map(function (p) {
      return make('button', { type: 'button', 'class': 'open-panel', 'data-open-country': p.country },
        'Open the ' + countryName(p.country) + ' panel');
    });
  }

  function render(data) {
    results.textContent = '';
    status.textContent = '';
    if (!data.count) {
      status.textContent = 'Nothing found for \u201c' + data.query + '\u201d. Try a section number (474.17C), ' +
        'other words, or a place.';
      openButtons(data.understood && data.understood.places).forEach(function (b) { status.appendChild(b); });
      return;
    }
    var counts = data.groups.map(function (g) {
      return g.results.length + ' ' + (g.noun ? g.noun[g.results.length === 1 ? 0 : 1] : g.label.toLowerCase());
    });
    status.textContent = data.count + (data.count === 1 ? ' result' : ' results') + ': ' + counts.join(', ') + '.';
    openButtons(data.understood && data.understood.places).forEach(function (b) { status.appendChild(b); });
    var n = 0;
    data.groups.forEach(function (group) {
      var section = make('section', { 'class': 'group group-' + group.kind, 'aria-labelledby': 'g-' + group.kind });
      section.appendChild(make('h3', { id: 'g-' + group.kind }, group.label + ' (' + group.results.length + ')'));
      var list = make('ol', { 'class': 'result-list' });
      group.results.forEach(function (result) {
        var item = make('li');
        item.appendChild(resultCard(result, n++));
        list.appendChild(item);
      });
      section.appendChild(list);
      results.appendChild(section);
    });
  }

  // Offline: words matched against the facts already on the page (one of each).
  function offline(query) {
    var words = query.toLowerCase().split(/[^a-z0-9.]+/).filter(function (w) {
      return w.length > 1 && STOP.indexOf(' ' + w + ' ') < 0;
    });
    results.textContent = '';
    var seen = {};
    var found = [];
    panels.forEach(function (panel) {
      Array.prototype.forEach.call(panel.querySelectorAll('[data-fact]'), function (fact) {
        var key = fact.getAttribute('data-kind') + ':' + fact.id.replace(/^[A-Z]{2}-[a-z]+-/, '');
        var text = fact.textContent.toLowerCase();
        if (!words.length || seen[key] || found.length >= MAX_OFFLINE) { return; }
        if (words.every(function (w) { return text.indexOf(w) >= 0; })) {
          seen[key] = true;
          found.push([fact, panel]);
        }
      });
    });
    status.textContent = (navigator.onLine === false ? 'You are offline' : 'The server did not answer') +
      ', so this is a simple match over this page (search is offline): ' + found.length +
      (found.length === 1 ? ' fact.' : ' facts.');
    var list = make('ol', { 'class': 'result-list' });
    found.forEach(function (pair) {
      var item = make('li');
      var copy = cloneFact(pair[0]);
      var title = copy.querySelector('.fact-title');
      if (title) { title.appendChild(make('span', { 'class': 'place' }, pair[1].getAttribute('data-panel'))); }
      item.appendChild(copy);
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function search(now) {
    clearTimeout(timer);
    var query = q.value.trim();
    if (!query) {
      seq++;
      if (inflight) { inflight.abort(); inflight = null; }
      results.textContent = '';
      status.textContent = '';
      return;
    }
    timer = setTimeout(function () {
      var mine = ++seq;
      if (inflight) { inflight.abort(); }
      inflight = window.AbortController ? new AbortController() : null;
      fetch(SEARCH_URL + '?q=' + encodeURIComponent(query), {
        cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' },
        signal: inflight ? inflight.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      }).then(function (data) {
        if (mine === seq) { render(data); }
      }).catch(function (error) {
        if (mine === seq && !(error && error.name === 'AbortError')) { offline(query); }
      });
    }, now ? 0 : DEBOUNCE_MS);
  }

  q.addEventListener('input', function () { search(false); });
  q.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      q.value = '';
      search(true);
    }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    search(true);
  });

  doc.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && target.matches && target.matches('input[type="search"], input[type="text"], textarea, select, [contenteditable]')) {
      return;
    }
    event.preventDefault();
    q.focus();
    q.select();
  });

  // -- copy for the person ----------------------------------------------------------------------

  function fallbackCopy(text) {
    var area = make('textarea', { 'aria-hidden': 'true', tabindex: '-1', readonly: '' });
    area.value = text;
    area.style.position = 'fixed';
    area.style.top = '-100px';
    area.style.opacity = '0';
    doc.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
    doc.body.removeChild(area);
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; },
        function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }

  doc.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button.copy');
    if (button) {
      var text = copies.get(button) || button.getAttribute('data-copy') || '';
      copyText(text).then(function (ok) {
        announcer.textContent = ok ? 'Copied. It is ready to paste into a text message or an email.'
          : 'Copying did not work here. Select the text and copy it yourself.';
        if (ok) {
          button.textContent = 'Copied';
          button.setAttribute('data-copied', '');
          setTimeout(function () {
            button.textContent = 'Copy for the person';
            button.removeAttribute('data-copied');
          }, 2000);
        }
      });
      return;
    }
    var open = event.target.closest && event.target.closest('[data-open-country]');
    if (open) { showCountry(open.getAttribute('data-open-country'), true); }
  });

  // -- country panels ------------------------------------------------------------------------------

  function showCountry(code, focus) {
    if (!panels.some(function (p) { return p.getAttribute('data-panel') === code; })) { return; }
    select.value = code;
    panels.forEach(function (panel) { panel.hidden = panel.getAttribute('data-panel') !== code; });
    if (focus) {
      var heading = doc.getElementById('panel-' + code + '-h');
      if (heading) { heading.focus(); heading.scrollIntoView({ block: 'start' }); }
    }
  }

  if (select && panels.length) {
    select.parentNode.hidden = false;
    select.addEventListener('change', function () { showCountry(select.value, false); });
    showCountry(select.value || panels[0].getAttribute('data-panel'), false);
    doc.getElementById('print').addEventListener('click', function () { window.print(); });
  }

  // -- route finder -----------------------------------------------------------------------------------

  function cloneFact(source) {
    var copy = source.cloneNode(true);
    var prefix = 'c' + (++cloneCount) + '-';
    var nodes = [copy].concat(Array.prototype.slice.call(copy.querySelectorAll('[id], [aria-labelledby], [aria-describedby]')));
    nodes.forEach(function (node) {
      if (node.id) { node.id = prefix + node.id; }
      ['aria-labelledby', 'aria-describedby'].forEach(function (name) {
        if (node.hasAttribute(name)) { node.setAttribute(name, prefix + node.getAttribute(name)); }
      });
    });
    return copy;
  }

  function part(selector) {
    var holder = parts.querySelector(selector);
    return holder ? cloneFact(holder.firstElementChild) : null;
  }

  function showRoute() {
    routeOut.textContent = '';
    var v = victim.value;
    var h = harasser.value;
    doc.body.classList.toggle('has-route', Boolean(v && h));
    if (!v || !h) { return; }
    if (v === h) {
      var same = make('p', {}, 'Both are in ' + countryName(v) + ', so this is not a cross-border case. ' +
        'The ' + countryName(v) + ' panel has its reporting bodies and offences. ');
      same.appendChild(make('button', { type: 'button', 'class': 'open-panel secondary', 'data-open-country': v },
        'Open the ' + countryName(v) + ' panel'));
      routeOut.appendChild(same);
      return;
    }
    var home = part('[data-route-home="' + v + '"]');
    if (home) {
      routeOut.appendChild(home);
    } else {
      routeOut.appendChild(make('p', { 'class': 'note' }, 'The person\u2019s country is not covered here. Their local ' +
        'police and emergency number come first; ask for the report\u2019s reference number.'));
    }
    routeOut.appendChild(part('[data-route-there="' + h + '"]') || part('[data-route-unknown]'));
  }

  // Printing shows everything: disclosures open for the print, then back as they were.
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    reopened = Array.prototype.filter.call(doc.querySelectorAll('details:not([open])'), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener('afterprint', function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  if (victim && harasser) {
    doc.getElementById('route-form').hidden = false;
    victim.addEventListener('change', showRoute);
    harasser.addEventListener('change', showRoute);
    showRoute();
  }
}());
