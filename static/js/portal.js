// Buttons marked data-once disable themselves on submit, so a double click sends one request.
// (The server also treats a repeated submission as one: this only spares a useless request.)
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});

// A link of a form's error summary puts the focus in the field it names: a plain in-page link
// would only scroll to it, and the next Tab would start from the link's target, not the field.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (field) {
    event.preventDefault();
    field.focus();
  }
});

// Logging out forgets the application texts this browser kept while they were not saved
// (static/js/application-form.js): the next person on this computer does not find them.
document.addEventListener("submit", (event) => {
  if (!event.target.matches("form[data-forget-drafts]")) {
    return;
  }
  try {
    Object.keys(localStorage)
      .filter((key) => key.startsWith("adn-draft:"))
      .forEach((key) => localStorage.removeItem(key));
  } catch {
    // storage unavailable: nothing was kept
  }
});
