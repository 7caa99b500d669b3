// The application form's helpers. The pages work without them (every form posts, every search
// box has its own button); with them:
// - each long text shows how many characters are left (and says it, after a pause);
// - a draft step saves itself while the person types (the same save and version check as the
//   "Save the draft" button), keeps what they typed in this browser until the portal has it
//   (localStorage, per person, file, step and tab), puts it back after a log-in, and shows their
//   text beside the saved one when the step was saved elsewhere meanwhile;
// - a picker's list is filtered as one types in its search box (a long one, paged, by the
//   server: its answer put in place);
// - the budget's total and the most one may ask follow the costs typed.
(() => {
  "use strict";

  const texts = (document.getElementById("application-form-texts") || {}).dataset || {};
  const language = texts.language || document.documentElement.lang || "fr";
  const plurals = new Intl.PluralRules(language);
  const integers = new Intl.NumberFormat(language);
  // The portal writes French groups with a no-break space; Intl with a narrow one.
  const same_spaces = (text) => text.replace(/\u202f/g, "\u00a0");

  const say = (template, values) =>
    (template || "").replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  const pick = (one, other, n) => (plurals.select(n) === "one" ? one : other);

  // --- Long texts: a counter ------------------------------------------------------------------

  // Counted as the server counts: characters (not UTF-16 units), a line break as one.
  const characters = (text) => [...text.replace(/\r\n/g, "\n")].length;

  function counter(area) {
    const limit = Number(area.dataset.limit);
    const shown = document.createElement("p");
    shown.className = "form-text char-counter mb-0";
    shown.id = `${area.id}-counter`;
    const spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    area.after(shown, spoken);
    const described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", described ? `${described} ${shown.id}` : shown.id);
    let pause;
    const update = (announce) => {
      const left = limit - characters(area.value);
      const text =
        left >= 0
          ? say(pick(texts.leftOne, texts.leftOther, left), { count: same_spaces(integers.format(left)) })
          : say(pick(texts.overOne, texts.overOther, -left), { count: same_spaces(integers.format(-left)) });
      shown.textContent = text;
      shown.classList.toggle("text-danger", left < 0);
      shown.classList.toggle("fw-semibold", left < 0);
      clearTimeout(pause);
      if (announce) {
        pause = setTimeout(() => { spoken.textContent = text; }, 1200);
      }
    };
    area.addEventListener("input", () => update(true));
    area.addEventListener("draft:filled", () => update(false));
    update(false);
  }

  document.querySelectorAll("textarea[data-limit]").forEach(counter);

  // --- Drafts ---------------------------------------------------------------------------------

  const KEPT_DAYS = 30;
  const NOT_FIELDS = new Set(["csrfmiddlewaretoken", "version", "next"]);

  function fields(form) {
    return [...form.elements].filter(
      (e) => e.name && !NOT_FIELDS.has(e.name) && !["submit", "button", "file"].includes(e.type)
    );
  }

  function valuesOf(form) {
    const values = {};
    for (const element of fields(form)) {
      if (element.type === "radio") {
        if (!(element.name in values)) values[element.name] = "";
        if (element.checked) values[element.name] = element.value;
      } else if (element.type === "checkbox") {
        values[element.name] = element.checked;
      } else {
        values[element.name] = element.value;
      }
    }
    return values;
  }

  function fill(form, values) {
    for (const element of fields(form)) {
      if (!(element.name in values)) continue;
      const value = values[element.name];
      if (element.type === "radio") {
        element.checked = String(element.value) === String(value);
      } else if (element.type === "checkbox") {
        element.checked = value === true || value === "on" || value === "true";
      } else {
        element.value = value === null || value === undefined ? "" : value;
      }
      element.dispatchEvent(new Event("draft:filled"));
    }
  }

  const alike = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  function notice(container, kind, role, message) {
    const box = document.createElement("div");
    box.className = `alert alert-${kind} d-flex flex-wrap gap-2 align-items-center`;
    box.setAttribute("role", role);
    const text = document.createElement("span");
    text.textContent = message;
    box.append(text);
    container.prepend(box);
    return box;
  }

  // Each tab keeps its own text (two tabs on one step must not overwrite each other's): the
  // step's key plus the tab's id, which survives a reload or a log-in in the same tab
  // (sessionStorage). A tab refreshes its entry while open; an entry left unrefreshed belongs
  // to a tab that is gone (closed, crashed), and the next page of that step takes it over.
  const HEARTBEAT = 10000;
  const ORPHANED = 3 * HEARTBEAT;

  function tabId() {
    try {
      let id = sessionStorage.getItem("adn-tab");
      if (!id) {
        id = Math.random().toString(36).slice(2, 10);
        sessionStorage.setItem("adn-tab", id);
      }
      return id;
    } catch {
      return "tab";
    }
  }

  function entries(prefix) {
    try {
      return Object.keys(localStorage)
        .filter((k) => k === prefix || k.startsWith(`${prefix}:`))
        .map((k) => {
          try { return { key: k, entry: JSON.parse(localStorage.getItem(k)) }; } catch { return { key: k, entry: null }; }
        });
    } catch {
      return [];
    }
  }

  function drafts(form) {
    const step = form.dataset.draftKey;
    const key = `${step}:${tabId()}`;
    const version = form.elements.version;
    const status = form.querySelector("[data-draft-status]");
    const notices = document.querySelector("[data-draft-notices]") || form;
    const store = {
      read() {
        try { return JSON.parse(localStorage.getItem(key)); } catch { return null; }
      },
      write(entry) {
        try { localStorage.setItem(key, JSON.stringify(entry)); } catch { /* full or off */ }
      },
      drop() {
        try { localStorage.removeItem(key); } catch { /* off */ }
      },
      // This tab's entry, else the newest one a tab that is gone left (taken over).
      adopt() {
        const own = this.read();
        if (own) return own;
        const orphans = entries(step)
          .filter(({ key: k, entry }) => k !== key && entry && Date.now() - (entry.seen || entry.at) > ORPHANED)
          .sort((a, b) => b.entry.at - a.entry.at);
        if (!orphans.length) return null;
        try { localStorage.removeItem(orphans[0].key); } catch { /* off */ }
        this.write(orphans[0].entry);
        return orphans[0].entry;
      },
    };
    setInterval(() => {
      const entry = store.read();
      if (entry) store.write({ ...entry, seen: Date.now() });
    }, HEARTBEAT);
    const remember = (extra = {}) =>
      store.write({ base: version.value, at: Date.now(), seen: Date.now(), fields: valuesOf(form), ...extra });

    const served = valuesOf(form);
    const servedVersion = version.value;
    let timer = null;
    let inflight = false;
    let again = false;
    let stopped = false;
    let submitAfter = null;

    // Typed text the portal did not get: put it back, on the version it was typed on (a save
    // made elsewhere since then is then shown beside it, not overwritten).
    let kept = store.adopt();
    if (kept && (!kept.fields || Date.now() - kept.at > KEPT_DAYS * 86400000)) {
      store.drop();
      kept = null;
    }
    const conflictShown = document.querySelector("[data-conflict]");
    if (kept && !conflictShown) {
      if (alike(kept.fields, served) || (kept.submitted && Number(servedVersion) > Number(kept.base))) {
        store.drop();
      } else {
        fill(form, kept.fields);
        version.value = kept.base;
        const box = notice(notices, "info", "status", texts.restored);
        const undo = document.createElement("button");
        undo.type = "button";
        undo.className = "btn btn-sm btn-outline-primary";
        undo.textContent = texts.undo;
        undo.addEventListener("click", () => {
          fill(form, served);
          version.value = servedVersion;
          store.drop();
          box.remove();
        });
        box.append(undo);
        schedule(0);
      }
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(save, delay);
    }

    function changed(event) {
      if (event.target.form !== form || NOT_FIELDS.has(event.target.name)) return;
      remember();
      if (!stopped) schedule(1500);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    form.addEventListener("submit", (event) => {
      if (inflight) {
        // Wait for the save on its way: its new version goes with the form.
        event.preventDefault();
        submitAfter = event.submitter || null;
        return;
      }
      clearTimeout(timer);
      remember({ submitted: true });
    });

    async function save() {
      if (stopped) return;
      if (inflight) {
        again = true;
        return;
      }
      inflight = true;
      const sent = valuesOf(form);
      if (status) status.textContent = texts.saving;
      let response = null;
      let answer = null;
      try {
        response = await fetch(form.dataset.autosaveUrl, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        answer = await response.json();
      } catch {
        answer = null;
      }
      inflight = false;
      if (response && response.ok && answer) {
        version.value = answer.version;
        if (status) status.textContent = answer.message;
        if (alike(valuesOf(form), sent)) store.drop(); else remember();
      } else if (response && (response.status === 401 || response.status === 403)) {
        stop(answer);
      } else if (response && response.status === 409 && answer && answer.code === "conflict") {
        conflict(answer.panel);
      } else if (status) {
        status.textContent = (answer && answer.message) || texts.offline;
      }
      if (submitAfter !== null && !stopped) {
        const submitter = submitAfter;
        submitAfter = null;
        form.requestSubmit(submitter || undefined);
      } else if (again && !stopped) {
        again = false;
        schedule(0);
      }
    }

    // The session is gone (or the page is stale): the text stays in this browser, the person
    // logs in again (or reloads) and finds it back in the form.
    function stop(answer) {
      stopped = true;
      remember();
      if (status) status.textContent = "";
      const message = (answer && answer.message) || texts.offline;
      const box = notice(notices, "warning", "alert", message);
      const link = document.createElement("a");
      link.className = "btn btn-sm btn-primary";
      if (answer && answer.code === "session_expired") {
        link.href = answer.login_url;
        link.textContent = texts.logIn;
      } else {
        link.href = window.location.href;
        link.textContent = texts.reload;
      }
      box.append(link);
      link.focus();
    }

    // Saved elsewhere meanwhile: their text beside the saved one, and the choice.
    function conflict(panel) {
      stopped = true;
      remember();
      if (status) status.textContent = "";
      notices.querySelectorAll("[data-conflict]").forEach((old) => old.remove());
      notices.insertAdjacentHTML("afterbegin", panel);
      wire(notices.querySelector("[data-conflict]"));
    }

    function wire(section) {
      if (!section) return;
      const resolved = () => {
        section.remove();
        stopped = false;
      };
      section.querySelector("[data-conflict-keep]").addEventListener("click", (event) => {
        event.preventDefault();
        version.value = section.dataset.version;
        resolved();
        remember();
        schedule(0);
      });
      section.querySelector("[data-conflict-take]").addEventListener("click", (event) => {
        event.preventDefault();
        fill(form, JSON.parse(section.dataset.saved));
        version.value = section.dataset.version;
        store.drop();
        resolved();
        if (status) status.textContent = "";
      });
      section.setAttribute("tabindex", "-1");
      section.focus();
    }

    if (conflictShown) {
      stopped = true;
      remember();
      wire(conflictShown);
    }
  }

  const draftForm = document.querySelector("form[data-autosave-url]");
  if (draftForm) drafts(draftForm);

  // --- Pickers: the list filtered as one types --------------------------------------------------

  const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  function picker(box) {
    const search = box.querySelector("[data-picker-filter]");
    if (!("pickerComplete" in box.dataset)) {
      asking(box, search);
      return;
    }
    const count = box.querySelector("[data-picker-count]");
    const options = [...box.querySelectorAll(".picker-option")];
    const button = box.querySelector("[data-picker-search-button]");
    if (button) button.hidden = true; // the list follows the typing: no need to send the search
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    search.addEventListener("input", () => {
      const words = fold(search.value).split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const option of options) {
        const chosen = option.querySelector("input").checked;
        const match = chosen || words.every((word) => option.dataset.search.includes(word));
        option.hidden = !match;
        if (match) shown += 1;
      }
      count.textContent = say(pick(count.dataset.one, count.dataset.other, shown), {
        count: same_spaces(integers.format(shown)),
      });
    });
  }

  // A picker listing a page of its choices (they are many): its search and its pages are asked
  // of the server as the search form would (a GET of the step's page), and the answer's list is
  // put in place, so that nothing typed in the step is left. The option chosen here stays.
  function asking(box, search) {
    const form = document.getElementById(search.getAttribute("form"));
    if (!form) return;
    const name = search.name.replace(/_q$/, "");
    let asked = 0;
    let pause = null;

    async function ask(submitter) {
      const mine = ++asked;
      const query = new URLSearchParams(new FormData(form, submitter || undefined));
      let fresh = null;
      try {
        const response = await fetch(`${form.action}?${query}`, { credentials: "same-origin" });
        if (response.ok) {
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          fresh = page.querySelector(`#${CSS.escape(box.id)} [data-picker-results]`);
        }
      } catch {
        fresh = null;
      }
      if (mine !== asked) return; // a later search is on its way
      if (!fresh) {
        form.submit(); // as without the script
        return;
      }
      // The choice made on this page (in the list or among the proposals above it) stays
      // chosen, whatever the server's page says (the choice it last saved).
      const results = box.querySelector("[data-picker-results]");
      const group = box.closest("form") || document;
      const current = [...group.querySelectorAll(`input[type=radio][name="${CSS.escape(name)}"]`)]
        .find((radio) => radio.checked);
      fresh.querySelectorAll("input[type=radio]").forEach((radio) => { radio.checked = false; });
      if (current && results.contains(current)) {
        const same = fresh.querySelector(`input[type=radio][value="${CSS.escape(current.value)}"]`);
        if (same) same.closest(".picker-option").remove();
        fresh.querySelector(".picker-options").prepend(current.closest(".picker-option"));
      }
      results.replaceWith(fresh);
      if (current) current.checked = true;
      fresh.querySelectorAll("[data-picker-page]").forEach(wire);
      if (submitter) {
        const first = fresh.querySelector("input[type=radio]");
        if (first) first.focus();
      }
    }

    function wire(button) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        ask(button);
      });
    }

    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(pause);
        ask(null);
      }
    });
    search.addEventListener("input", () => {
      clearTimeout(pause);
      pause = setTimeout(() => ask(null), 300);
    });
    box.querySelector("[data-picker-search-button]").addEventListener("click", (event) => {
      event.preventDefault();
      clearTimeout(pause);
      ask(null);
    });
    box.querySelectorAll("[data-picker-page]").forEach(wire);
  }

  document.querySelectorAll("[data-picker]").forEach(picker);

  // --- The budget: its total and the most one may ask -----------------------------------------

  // The number as the portal reads it (adn_portal/lib/decimals.py): NaN when it would refuse it.
  function typed(text) {
    const value = text.replace(/[\s\u00a0\u202f]+/g, " ").trim();
    if (!value) return NaN;
    if (!/^[0-9., ]+$/.test(value)) return NaN;
    const mark = language.startsWith("en") ? "." : ",";
    const parts = value.split(mark);
    if (parts.length > 2) return NaN;
    const [whole, decimals] = parts;
    if (decimals !== undefined && !/^[0-9]+$/.test(decimals)) return NaN;
    let digits;
    if (/^[0-9]+$/.test(whole)) digits = whole;
    else if (/^[0-9]{1,3}([ .,])[0-9]{3}(\1[0-9]{3})*$/.test(whole)) digits = whole.replace(/[ .,]/g, "");
    else return NaN;
    return Number(decimals === undefined ? digits : `${digits}.${decimals}`);
  }

  function euros(cents) {
    const format = new Intl.NumberFormat(language, {
      style: "currency",
      currency: "EUR",
      minimumFractionDigits: cents % 100 ? 2 : 0,
      maximumFractionDigits: 2,
    });
    return same_spaces(format.format(cents / 100));
  }

  function budget(box) {
    const costs = box.dataset.costs.split(" ").map((id) => document.getElementById(id)).filter(Boolean);
    // A table's empty rows count for nothing; every other cost must be typed.
    const blankIsZero = new Set((box.dataset.blankIsZero || "").split(" ").filter(Boolean));
    const rate = Number(box.dataset.rate);
    const ceiling = box.dataset.ceiling === "" ? null : Math.round(Number(box.dataset.ceiling) * 100);
    const total = box.querySelector("[data-total]");
    const maximum = box.querySelector("[data-maximum]");
    const announce = box.querySelector("[data-total-announce]");
    let pause;
    const update = () => {
      const amounts = costs.map((input) =>
        blankIsZero.has(input.id) && !input.value.trim() ? 0 : typed(input.value),
      );
      if (amounts.some(Number.isNaN)) {
        total.textContent = "—";
        maximum.textContent = "—";
      } else {
        const cents = amounts.reduce((sum, amount) => sum + Math.round(amount * 100), 0);
        let most = Math.floor((cents * rate) / 100 + 1e-9);
        if (ceiling !== null) most = Math.min(most, ceiling);
        total.textContent = euros(cents);
        maximum.textContent = euros(most);
      }
      clearTimeout(pause);
      pause = setTimeout(() => {
        announce.textContent = [...box.querySelectorAll("p:not([data-total-announce])")]
          .map((p) => p.textContent.trim())
          .join(" ");
      }, 1200);
    };
    costs.forEach((input) => {
      input.addEventListener("input", update);
      input.addEventListener("draft:filled", update);
    });
  }

  document.querySelectorAll("[data-budget-total]").forEach(budget);
})();
