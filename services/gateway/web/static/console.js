// Progressive enhancement of the console: the broadcast form counts its
// recipients as the target changes (the same API the "Hitung" button uses),
// and a broadcast being sent refreshes its figures.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("siaran");
  var output = document.getElementById("jumlah-penerima");
  var english = document.documentElement.lang === "en";

  function target() {
    var data = new FormData(form);
    return {
      regions: (data.get("target.regions") || "").replace(/,/g, " ").split(/\s+/).filter(Boolean),
      tags: data.getAll("target.tags"),
      classifications: data.getAll("target.classifications"),
      include_vakum: data.get("target.include_vakum") === "ya"
    };
  }

  var timer = null;
  var asked = 0;
  function count() {
    var body = { target: target() };
    if (!body.target.regions.length) { output.textContent = ""; return; }
    var mine = ++asked;
    fetch("/api/v1/broadcasts/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token ? token.content : "",
                 "Accept-Language": english ? "en" : "id" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (mine !== asked) { return; }
      if (answer.ok) {
        output.textContent = english ? "This target reaches " + answer.data.recipients + " groups."
                                     : "Sasaran ini menjangkau " + answer.data.recipients + " KIM.";
      } else {
        output.textContent = answer.data.detail || answer.data.title;
      }
    }).catch(function () { /* the button still counts */ });
  }

  if (form && output) {
    form.addEventListener("input", function (event) {
      if (event.target.name && event.target.name.indexOf("target.") === 0) {
        clearTimeout(timer);
        timer = setTimeout(count, 300);
      }
    });
    count();
  }

  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    setTimeout(function () { window.location.reload(); }, Number(refresh.dataset.refresh) * 1000);
  }
})();
