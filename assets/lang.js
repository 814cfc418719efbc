// Root page only: a visitor whose browser prefers English goes to /en/; everyone else follows
// the page's meta refresh to /vi/. Without JavaScript the refresh and the links still work.
(function () {
  var script = document.currentScript;
  var langs = navigator.languages || [navigator.language || ""];
  for (var i = 0; i < langs.length; i++) {
    var code = String(langs[i]).toLowerCase().slice(0, 2);
    if (code === "vi") return;
    if (code === "en") { location.replace(script.getAttribute("data-en")); return; }
  }
})();
