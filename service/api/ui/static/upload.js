// Upload with drag and drop, one request per file, a progress bar and the result of each file.
// Without this script the form still posts every file to /tai-len.
(function () {
  var form = document.getElementById("upload-form");
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("file-input");
  var table = document.getElementById("upload-results");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  if (!form || !window.FormData || !window.XMLHttpRequest) return;

  var GRADE = {tot: "Tốt", kha: "Khá", trung_binh: "Trung bình", kem: "Kém"};

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function showReport(id, cell) {
    fetch("/v1/minutes/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (!body.ok) return;
        var rep = body.data.report, s = body.data.summary;
        var line = el("div", {"class": "summary"});
        line.appendChild(el("span", {"class": "grade grade-" + rep.score.grade}, GRADE[rep.score.grade] || rep.score.grade));
        line.appendChild(document.createTextNode(" " + rep.score.points + "/100 · " +
          (s.chi_bo || "không rõ chi bộ") + " · " + (rep.complete ? "đầy đủ" : "chưa đầy đủ") +
          " · " + rep.findings.length + " phát hiện"));
        cell.appendChild(line);
        var list = el("ul", {"class": "findings-mini"});
        rep.findings.filter(function (f) { return f.severity !== "info"; }).slice(0, 4).forEach(function (f) {
          list.appendChild(el("li", {"data-rule": f.rule}, f.rule + ": " + f.message));
        });
        cell.appendChild(list);
      })
      .catch(function () {});
  }

  function result(cell, item) {
    cell.textContent = "";
    if (item.status === "failed") {
      cell.appendChild(el("span", {"class": "bad"}, "Lỗi"));
      cell.appendChild(document.createTextNode(" " + (item.code ? "[" + item.code + "] " : "") + (item.message || "")));
      return;
    }
    var label = {stored: "Đã lưu", replaced: "Đã lưu bản sửa", duplicate: "Đã có trong kho"}[item.status] || item.status;
    cell.appendChild(el("span", {"class": item.status === "duplicate" ? "muted" : "ok"}, label));
    cell.appendChild(document.createTextNode(" · "));
    cell.appendChild(el("a", {href: "/bien-ban/" + item.id, "class": "open-minute"}, "xem biên bản"));
    if (item.note) cell.appendChild(el("p", {"class": "note"}, item.note));
    showReport(item.id, cell);
  }

  // One request for one file, or for the photos of one minute's pages (combine=true), in order.
  function send(files, combine) {
    var file = files[0];
    table.classList.remove("hidden");
    var row = el("tr", {"class": "pending"});
    row.appendChild(el("td", {}, combine ? file.name + " và " + (files.length - 1) + " ảnh nữa (ghép thành một biên bản)" : file.name));
    var bar = el("progress", {max: "1", value: "0"});
    var barCell = el("td"); barCell.appendChild(bar); row.appendChild(barCell);
    var out = el("td", {"class": "result"}, "Đang gửi…");
    row.appendChild(out);
    table.querySelector("tbody").appendChild(row);
    var data = new FormData();
    files.forEach(function (f) { data.append("file", f, f.name); });
    var xhr = new XMLHttpRequest();
    var chosen = form.querySelector("select[name=unit]");
    var query = [];
    if (chosen && chosen.value) query.push("unit=" + encodeURIComponent(chosen.value));
    if (combine) query.push("combine=true");
    xhr.open("POST", "/v1/minutes" + (query.length ? "?" + query.join("&") : ""));
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = e.loaded / e.total; };
    xhr.onload = function () {
      bar.max = 1; bar.value = 1;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (body && body.ok && body.data && body.data.length) {
        row.className = "status-" + body.data[0].status;
        result(out, body.data[0]);
      } else {
        row.className = "status-failed";
        result(out, {status: "failed", code: body && body.code, message: (body && body.error) || ("HTTP " + xhr.status)});
      }
    };
    xhr.onerror = function () {
      row.className = "status-failed";
      result(out, {status: "failed", message: "Mất kết nối tới máy chủ."});
    };
    out.textContent = "Đang gửi…";
    xhr.upload.onload = function () { out.textContent = "Đang kiểm tra…"; watchQueue(file.name, out, xhr, bar); };
    xhr.send(data);
  }

  // While a scan or PDF waits for its turn or is being read, say where it stands.
  function watchQueue(name, out, xhr, bar) {
    var timer = setInterval(function () {
      if (xhr.readyState === 4) { clearInterval(timer); return; }
      fetch("/v1/queue", {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (xhr.readyState === 4 || !body.ok) return;
          // the server keeps a cleaned name; fall back on the caller's oldest file in the line
          var mine = body.data.filter(function (e) { return e.name === name; })[0] || body.data[0];
          if (!mine) return;
          if (mine.state === "waiting") {
            out.textContent = "Đang chờ đến lượt nhận dạng: thứ " + mine.position + " trong hàng (" + mine.pages + " trang)…";
          } else if (mine.pages_total) {
            out.textContent = "Đang nhận dạng: xong trang " + mine.pages_done + "/" + mine.pages_total + "…";
            bar.max = mine.pages_total; bar.value = mine.pages_done;
          } else {
            out.textContent = "Đang chuyển đổi / nhận dạng " + mine.pages + " trang…";
          }
        })
        .catch(function () {});
    }, 1000);
  }

  function sendAll(list) {
    var files = Array.prototype.slice.call(list || []);
    var combine = document.getElementById("combine");
    if (combine && combine.checked && files.length > 1) { send(files, true); return; }
    files.forEach(function (f) { send([f], false); });
  }
  var camera = document.getElementById("camera-input");
  var shots = [];  // photos taken one by one: sent together when the form is submitted
  if (camera) camera.addEventListener("change", function () {
    shots = shots.concat(Array.prototype.slice.call(camera.files));
    camera.value = "";
    var button = document.getElementById("upload-button");
    if (button) button.textContent = "Tải lên (" + shots.length + " ảnh đã chụp)";
  });

  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files) sendAll(e.dataTransfer.files); });
  input.addEventListener("change", function () { sendAll(input.files); input.value = ""; });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    sendAll(Array.prototype.slice.call(input.files).concat(shots));
    input.value = ""; shots = [];
    var button = document.getElementById("upload-button");
    if (button) button.textContent = "Tải lên";
  });
})();
