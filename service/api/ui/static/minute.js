// Flash every stretch of text a finding (or search hit) covers when its link is followed.
(function () {
  function flash() {
    document.querySelectorAll(".flash").forEach(function (el) { el.classList.remove("flash"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var runs = document.querySelectorAll('[data-f~="' + CSS.escape(id) + '"]');
    if (id === "hit") runs = document.querySelectorAll(".search-hit");
    runs.forEach(function (el) { el.classList.add("flash"); });
    if (runs.length) runs[0].scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", flash);
  document.addEventListener("DOMContentLoaded", flash);
})();
