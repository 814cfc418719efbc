// Keeps "upcoming" true between two builds of the site: an event whose end (data-end, Hanoi
// time) has passed moves from the upcoming list to the past one, or leaves a page that has no
// past list. Without this script a page stays as built, which the nightly build keeps right.
(function () {
  "use strict";
  var upcoming = document.querySelector("[data-upcoming]");
  var past = document.querySelector("[data-past]");
  if (!upcoming) return;
  var now = Date.now();
  var ended = Array.prototype.filter.call(upcoming.querySelectorAll("li[data-end]"), function (li) {
    var end = Date.parse(li.getAttribute("data-end"));
    return !isNaN(end) && end < now;
  });
  // Past lists run latest first: put each at the top, the one that ended last going last.
  ended.sort(function (a, b) {
    return Date.parse(a.getAttribute("data-end")) - Date.parse(b.getAttribute("data-end"));
  });

  function removeChip(id) {
    var chip = document.querySelector('a.chip[href="#' + id + '"]');
    if (chip) chip.parentNode.remove();
  }

  // The events page groups by month: 'upcoming-2026-01' -> 'past-2026-01', made if missing.
  function pastListFor(month) {
    if (!month || !month.id) return past.querySelector("ul");
    var id = month.id.replace(/^upcoming-/, "past-");
    var heading = document.getElementById(id);
    if (heading) return heading.nextElementSibling;
    heading = month.cloneNode(true);
    heading.id = id;
    var list = document.createElement("ul");
    list.className = "events events--past";
    var title = past.querySelector("h2");
    title.after(heading, list);
    var chips = document.querySelector("[data-past-chips]");
    var chip = document.querySelector('a.chip[href="#' + month.id + '"]');
    if (chips && chip) {
      chip = chip.parentNode.cloneNode(true);
      chip.querySelector("a").setAttribute("href", "#" + id);
      chips.prepend(chip);
    }
    return list;
  }

  ended.forEach(function (item) {
    var list = item.parentNode;
    var month = list.previousElementSibling;
    month = month && month.classList.contains("month") ? month : null;
    if (past) {
      pastListFor(month).prepend(item);
      past.hidden = false;
    } else {
      item.remove();
    }
    if (!list.querySelector("li")) {
      list.remove();
      if (month) {
        removeChip(month.id);
        month.remove();
      }
    }
  });
  if (!upcoming.querySelector("li")) {
    upcoming.querySelector("[data-upcoming-none]").hidden = false;
  }
})();
