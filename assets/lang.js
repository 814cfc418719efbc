// Root page only: a visitor whose browser does not ask for Vietnamese first goes to /en/;
// the page's meta refresh takes everyone else (and every visitor without JavaScript) to /vi/.
(function () {
  var script = document.currentScript;
  var langs = navigator.languages || [navigator.language || ""];
  var first = String(langs[0] || "").toLowerCase().slice(0, 2);
  if (first && first !== "vi") location.replace(script.getAttribute("data-en"));
})();
