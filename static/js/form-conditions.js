// A step's conditional questions (programs/application_forms: "show_if"): a question whose
// condition is not met is hidden while the person answers. Without this script every question
// shows, and the server ignores the answer of one whose condition is not met.
(function () {
  "use strict";

  const form = document.getElementById("step-form");
  if (!form) return;

  function answer(name) {
    const inputs = [...form.elements].filter((input) => input.name === name);
    if (!inputs.length) return null;
    const kind = inputs[0].type;
    if (kind === "checkbox" && inputs.length === 1) return inputs[0].checked;
    if (kind === "checkbox") return inputs.filter((i) => i.checked).map((i) => i.value);
    if (kind === "radio") {
      const chosen = inputs.find((i) => i.checked);
      if (!chosen) return null;
      if (chosen.value === "true") return true;
      if (chosen.value === "false") return false;
      return chosen.value;
    }
    return inputs[0].value;
  }

  function met(condition) {
    const value = answer(condition.question);
    if (Array.isArray(value)) return value.map(String).includes(String(condition.equals));
    if (typeof condition.equals === "boolean") return value === condition.equals;
    return value !== null && String(value) === String(condition.equals);
  }

  const conditional = [...form.querySelectorAll("[data-show-if]")].map((input) => ({
    condition: JSON.parse(input.dataset.showIf),
    // The question's block: its label, box, help and errors (crispy's wrapper or fieldset).
    block: input.closest("fieldset") || input.closest(".mb-3") || input.parentElement,
  }));
  const seen = new Set();
  const questions = conditional.filter(({ block }) => !seen.has(block) && seen.add(block));

  function update() {
    questions.forEach(({ condition, block }) => {
      block.hidden = !met(condition);
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
