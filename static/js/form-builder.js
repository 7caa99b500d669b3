// The staff's form builder (applications/forms/question_settings.py): each question shows only
// the settings of the kind chosen in its "Kind" list, and posts only those (a long step then
// stays within the fields a request may post). Without this script every group shows, each
// saying which kinds it is for, and the server reads only the chosen kind's.
(function () {
  "use strict";

  document.querySelectorAll("fieldset.question").forEach((question) => {
    const select = question.querySelector("select[data-kind-select]");
    if (!select) return;
    const groups = [...question.querySelectorAll("[data-kinds]")];

    function update() {
      groups.forEach((group) => {
        group.hidden = !group.dataset.kinds.split(" ").includes(select.value);
        group.querySelectorAll("input, select, textarea").forEach((box) => {
          box.disabled = group.hidden;
        });
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
