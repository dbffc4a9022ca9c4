/* Progressive enhancements for the Atlas pages. Everything works without this file:
   it adds autocomplete on the query box (ARIA combobox + listbox), filter fields for the
   long facet lists and, on a project page, a way back to the search it was opened from. Loaded as an external file because the CSP forbids inline scripts. */
(function () {
  "use strict";

  /* The site's root ("/" or "/atlas/" behind a proxy at a sub-path): the search form's action. */
  function siteRoot() {
    var form = document.querySelector("form.search-form");
    var root = form ? new URL(form.getAttribute("action") || "/", window.location.href).pathname : "/";
    return root.charAt(root.length - 1) === "/" ? root : root + "/";
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  /* ---- filter fields for long facet lists ---- */
  function setupFacetFilters() {
    document.querySelectorAll("[data-filter-list]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) return;
      input.closest(".facet-filter").hidden = false;
      // Where to say that the list shown (one letter of the A–Z) has no such name, with a
      // link that searches every letter: an emptied list alone said nothing.
      var status = document.getElementById(input.getAttribute("data-filter-status") || "");
      var scope = input.getAttribute("data-filter-scope") || "";
      input.addEventListener("input", function () {
        var needle = fold(input.value);
        var shown = 0;
        list.querySelectorAll("li").forEach(function (li) {
          var link = li.querySelector("[data-label]");
          var label = link ? link.getAttribute("data-label") : li.textContent;
          li.hidden = needle !== "" && fold(label).indexOf(needle) === -1;
          if (!li.hidden) shown += 1;
        });
        if (!status) return;
        status.textContent = "";
        if (needle === "") return;
        var text = input.value.trim();
        status.appendChild(document.createTextNode(
          (shown ? shown + " sur cette page" : "Aucune " + scope + " ne contient «\u00a0" +
           text + "\u00a0»") + "\u00a0: "));
        var all = document.createElement("a");
        all.href = input.form.action + "?" + new URLSearchParams({ q: text }).toString();
        all.textContent = "chercher «\u00a0" + text + "\u00a0» dans toutes les lettres";
        status.appendChild(all);
      });
    });
  }

  /* ---- autocomplete ---- */
  // Suggestion kinds that become a filter rather than query text.
  var FILTER_KINDS = { "pays": "country", "collectivité française": "french_partner",
                       "thématique": "theme", "sous-thématique": "sub_theme" };

  function setupAutocomplete() {
    var input = document.querySelector("input[data-suggest-url]");
    if (!input || !window.fetch) return;
    var form = input.form;
    var url = input.getAttribute("data-suggest-url");
    var kindLabels = {};
    try { kindLabels = JSON.parse(input.getAttribute("data-kinds") || "{}"); } catch (e) { /* French kinds */ }
    var listId = "q-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.appendChild(list);
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var latest = 0;
    var disabled = false;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(item) {
      close();
      if (item.kind === "projet" && item.id) {
        window.location.href = siteRoot() + "projects/" + encodeURIComponent(item.id);
        return;
      }
      var param = FILTER_KINDS[item.kind];
      if (param) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = param;
        hidden.value = item.value;
        form.appendChild(hidden);
        input.value = "";
      } else {
        input.value = item.value;
      }
      form.submit();
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions;
      active = -1;
      if (!suggestions.length) {
        close();
        status.textContent = "";
        return;
      }
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.textContent = s.value;
        var kind = document.createElement("span");
        kind.className = "suggest-kind";
        kind.textContent = kindLabels[s.kind] || s.kind || "";
        li.appendChild(text);
        li.appendChild(kind);
        // mousedown, not click: fires before the input loses focus and closes the list.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(s);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      // The page gives these texts in its language (data-* attributes on the search box).
      var many = input.getAttribute("data-status-many") ||
        "{n} suggestions\u00a0; flèches haut et bas pour choisir.";
      var one = input.getAttribute("data-status-one") ||
        "1 suggestion\u00a0; flèches haut et bas pour choisir.";
      status.textContent = suggestions.length > 1
        ? many.replace("{n}", String(suggestions.length)) : one;
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (disabled || q.length < 2) {
        close();
        return;
      }
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        // 401: the API wants a token this page does not have. Stay a plain search box.
        if (response.status === 401 || response.status === 403) {
          disabled = true;
          return null;
        }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || ticket !== latest || document.activeElement !== input) return;
        render(Array.isArray(data.suggestions) ? data.suggestions : []);
      }).catch(function () { /* autocomplete is optional */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) fetchSuggestions();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (active >= 0) {
          event.preventDefault();
          choose(items[active]);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  /* ---- on small screens the filter panel starts folded so results come first ---- */
  function foldFiltersOnNarrowScreens() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 52rem)").matches) return;
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) {
      d.open = false;
    });
  }

  /* ---- a project page opened from a search goes back to that search, not to an empty one ---- */
  function setupBackToSearch() {
    var link = document.querySelector("a[data-back-to-search]");
    if (!link || !document.referrer || !window.URL) return;
    var from;
    try { from = new URL(document.referrer); } catch (e) { return; }
    if (from.origin !== window.location.origin || from.pathname !== siteRoot() || !from.search) return;
    link.href = from.pathname + from.search;
    link.textContent = link.getAttribute("data-back-label") || "Retour aux résultats";
  }

  function init() {
    foldFiltersOnNarrowScreens();
    setupBackToSearch();
    setupFacetFilters();
    setupAutocomplete();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
