/* Self-checks (tools/selfcheck.py): grade a lesson's questions in the browser and keep the
   reader's answers in localStorage. The right answers come from the page's own run of its
   code, written into each fieldset's data-answer at build time. No request leaves the page. */
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; } // private modes may refuse
  }

  function chosen(set) {
    var radio = set.querySelector("input[type=radio]:checked");
    if (radio) return radio.value;
    var field = set.querySelector("input[type=text]");
    return field && field.value.trim() !== "" ? field.value.trim() : null;
  }

  function isRight(set, value) {
    var answer = JSON.parse(set.dataset.answer);
    if (set.querySelector("input[type=radio]")) return Number(value) === answer;
    var number = Number(value.replace(",", ".").replace(/\s/g, ""));
    var tol = Number(set.dataset.tol);
    return isFinite(number) && Math.abs(number - answer) <= tol * Math.max(Math.abs(answer), 1e-12);
  }

  function grade(set, words, key, save) {
    var value = chosen(set);
    if (value === null || set.dataset.answer === undefined) return;
    var right = isRight(set, value);
    set.querySelector(".selfcheck-verdict").textContent = right ? words.right : words.wrong;
    var explain = set.querySelector(".selfcheck-explain");
    if (explain) explain.hidden = !right;
    set.classList.toggle("selfcheck-right", right);
    set.classList.toggle("selfcheck-wrong", !right);
    var store = storage();
    if (save && store) store.setItem(key, value);
  }

  function restore(set, value) {
    var radio = set.querySelector("input[type=radio][value='" + value + "']");
    if (radio) radio.checked = true;
    var field = set.querySelector("input[type=text]");
    if (field && !radio) field.value = value;
  }

  document.querySelectorAll(".selfchecks").forEach(function (block) {
    var words = {right: block.dataset.right, wrong: block.dataset.wrong};
    block.querySelectorAll("fieldset.selfcheck").forEach(function (set) {
      var input = set.querySelector("input");
      var key = "selfcheck:" + block.dataset.page + ":" + input.name;
      var store = storage();
      var saved = store && store.getItem(key);
      if (saved !== null && saved !== undefined) {
        restore(set, saved);
        grade(set, words, key, false);
      }
      set.querySelector("button").addEventListener("click", function () {
        grade(set, words, key, true);
      });
      var field = set.querySelector("input[type=text]");
      if (field) {
        field.addEventListener("keydown", function (event) {
          if (event.key === "Enter") grade(set, words, key, true);
        });
      }
    });
  });
})();
