// Follows a match run: polls its progress every second, moves the bar, reloads when it ends.
// Without JavaScript the page's "Refresh" link does the same by hand.
(function () {
  "use strict";
  var section = document.getElementById("run-progress");
  if (!section) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = section.querySelector("progress");
  var stage = section.querySelector("[data-progress-stage]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (run) {
        if (run.finished) {
          window.location.reload();
          return;
        }
        var percent = Math.round(run.progress * 100);
        bar.value = percent;
        bar.textContent = percent + " %";
        stage.textContent = run.stage_label;
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A network hiccup: try again a little later rather than give up.
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
})();
