// The console works without this file; it only adds "select all".
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-page");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=id]").forEach(function (box) { box.checked = all.checked; });
  });
});
