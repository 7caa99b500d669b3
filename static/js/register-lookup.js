// The organisation form asks the enterprise register (companies/register.py, through
// /api/v1/enterprise-register/<number>/) what it knows of the number typed, fills in the official
// name, registered office and NACE codes, and says the legal form, start date and sector. The
// server does the same on submission: without this script the form works alike.
(() => {
  const form = document.querySelector("form[data-register-lookup]");
  const number = form && form.querySelector("[name=enterprise_number]");
  const status = document.getElementById("register-entry");
  if (!number || !status) {
    return;
  }
  const texts = status.dataset;
  const fill = { name: "name", street: "street", postcode: "postcode", nace_codes: "nace_codes" };
  let asked = "";

  const say = (text, kind) => {
    status.textContent = text;
    status.className = `alert alert-${kind} mt-2`;
    status.hidden = false;
  };
  const date = (iso) => (iso ? new Date(`${iso}T12:00:00`).toLocaleDateString(document.documentElement.lang) : "—");
  const words = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_match, key) => (values[key] === undefined ? "" : values[key]));

  const lookUp = async () => {
    const digits = number.value.replace(/[\s.\-/]/g, "").replace(/^BE/i, "");
    if (!/^[0-9]{9,10}$/.test(digits) || digits === asked) {
      return;
    }
    asked = digits;
    let response;
    try {
      response = await fetch(form.dataset.registerLookup.replace("NUMBER", digits), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      say(texts.failed, "warning");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (body.errors && body.errors[0] && body.errors[0].code !== "register_not_loaded") {
        say(body.errors[0].message, "danger");
      } else if (response.status !== 404) {
        say(texts.failed, "warning");
      }
      return;
    }
    if (!body.active) {
      say(body.message, "danger");
      return;
    }
    Object.entries(fill).forEach(([key, field]) => {
      const input = form.querySelector(`[name=${field}]`);
      const value = Array.isArray(body[key]) ? body[key].join(", ") : body[key];
      if (input && value) {
        input.value = value;
      }
    });
    say(
      words(texts.found, {
        date: date(body.register_date),
        name: body.name,
        legal_form: body.legal_form_label || "—",
        start: date(body.start_date),
        office: body.postcode ? `${body.street}, ${body.postcode} ${body.municipality} (${body.province})` : texts.noOffice,
        sector: body.sector_label || "—",
      }),
      "info",
    );
  };

  number.addEventListener("change", lookUp);
  number.addEventListener("blur", lookUp);
})();
