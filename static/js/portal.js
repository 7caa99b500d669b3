// Buttons marked data-once disable themselves on submit, so a double click sends one request.
// (The server also treats a repeated submission as one: this only spares a useless request.)
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
