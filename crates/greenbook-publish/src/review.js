(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".item"));
  var cases = Array.prototype.slice.call(document.querySelectorAll(".case"));
  // The highlight boxes: OCR boxes in page pixels, placed over the crop in percent of its size.
  document.querySelectorAll("figure.crop").forEach(function (fig) {
    var c = fig.dataset.crop.split(",").map(Number);
    fig.querySelectorAll(".box").forEach(function (b) {
      var r = b.dataset.box.split(",").map(Number);
      b.style.left = (100 * (r[0] - c[0]) / c[2]) + "%";
      b.style.top = (100 * (r[1] - c[1]) / c[3]) + "%";
      b.style.width = (100 * r[2] / c[2]) + "%";
      b.style.height = (100 * r[3] / c[3]) + "%";
    });
  });
  // Edits survive a reload: kept in this browser's storage until exported and cleared.
  var store = "greenbook-review:" + location.pathname;
  var edits = {};
  try { edits = JSON.parse(localStorage.getItem(store) || "{}"); } catch (e) { edits = {}; }
  var reviewer = document.getElementById("reviewer");
  reviewer.value = localStorage.getItem("greenbook-reviewer") || "";
  reviewer.addEventListener("change", function () { localStorage.setItem("greenbook-reviewer", reviewer.value); });
  var count = document.getElementById("count");
  function key(item) { return item.dataset.case + "|" + item.dataset.field; }
  function save() {
    try { localStorage.setItem(store, JSON.stringify(edits)); } catch (e) { /* storage full or off */ }
    var n = Object.keys(edits).length;
    count.textContent = n + " 处修改";
  }
  function changed(item) {
    var value = item.querySelector(".edit").value.trim();
    var note = item.querySelector(".note").value.trim();
    if (value !== item.dataset.orig && value !== "") {
      edits[key(item)] = { case: item.dataset.case, field: item.dataset.field, value: value, note: note };
      item.classList.add("edited");
    } else {
      delete edits[key(item)];
      item.classList.remove("edited");
    }
    save();
  }
  items.forEach(function (item) {
    var e = edits[key(item)];
    if (e) {
      item.querySelector(".edit").value = e.value;
      item.querySelector(".note").value = e.note;
      item.classList.add("edited");
    }
    item.querySelectorAll("input").forEach(function (i) { i.addEventListener("input", function () { changed(item); }); });
  });
  save();
  // Filters: district, and flag / doubtful / missing.
  var district = document.getElementById("district");
  var flag = document.getElementById("flag");
  function filter() {
    cases.forEach(function (c) { c.hidden = district.value !== "" && c.dataset.district !== district.value; });
    items.forEach(function (i) {
      var f = flag.value;
      var flags = i.dataset.flags.split(" ");
      i.hidden = f !== "" && !(f === "doubtful" ? i.classList.contains("doubtful") : flags.indexOf(f) >= 0);
    });
  }
  district.addEventListener("change", filter);
  flag.addEventListener("change", filter);
  // Keyboard: j/k or arrows move between the visible items, Enter edits, Escape goes back.
  function visible() { return items.filter(function (i) { return !i.hidden && !i.closest(".case").hidden; }); }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t.tagName === "INPUT" || t.tagName === "SELECT") {
      if (ev.key === "Escape" || (ev.key === "Enter" && t.tagName === "INPUT")) {
        var item = t.closest(".item");
        if (item) { ev.preventDefault(); item.focus(); }
      }
      return;
    }
    var list = visible();
    var at = list.indexOf(document.activeElement);
    if (ev.key === "j" || ev.key === "ArrowDown") {
      ev.preventDefault();
      var next = list[Math.min(at + 1, list.length - 1)];
      if (next) { next.focus(); next.scrollIntoView({ block: "nearest" }); }
    } else if (ev.key === "k" || ev.key === "ArrowUp") {
      ev.preventDefault();
      var prev = list[Math.max(at - 1, 0)];
      if (prev) { prev.focus(); prev.scrollIntoView({ block: "nearest" }); }
    } else if (ev.key === "Enter" && at >= 0) {
      ev.preventDefault();
      list[at].querySelector(".edit").focus();
    }
  });
  // Export: corrections.csv (docs/corrections.md). A cell that starts like a formula is written as
  // text ('=…), so a spreadsheet never runs it.
  function cell(s) {
    s = String(s == null ? "" : s);
    if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; }
    return /[",\r\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s;
  }
  document.getElementById("export").addEventListener("click", function () {
    var today = new Date().toISOString().slice(0, 10);
    var lines = ["case,field,value,note,reviewer,date"];
    Object.keys(edits).sort().forEach(function (k) {
      var e = edits[k];
      lines.push([e.case, e.field, e.value, e.note, reviewer.value.trim(), today].map(cell).join(","));
    });
    var csv = "\ufeff" + lines.join("\r\n") + "\r\n";
    var out = document.getElementById("csv");
    out.value = csv;
    out.hidden = false;
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    a.download = "corrections.csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
})();
