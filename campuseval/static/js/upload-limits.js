/* Upload limits checked before sending.

   The server checks every file (campuseval.files.checks), but only once the whole request has
   arrived, and nginx refuses a request over its body limit with a bare page. So a file input
   carrying data-max-bytes (one file), data-max-total-bytes (all files of one upload) and
   data-max-files (how many files one upload takes) is checked here as soon as files are chosen
   and again on submit: a file too large, too many files or too much in all shows a Chinese
   message naming the file beside the input, and the form is not sent (the input is marked
   invalid, so the browser refuses to submit it too). Nothing typed elsewhere is touched. */
(function () {
  "use strict";

  function mb(bytes) {
    var value = bytes / (1024 * 1024);
    return (value === Math.round(value) ? value.toFixed(0) : value.toFixed(1)) + " MB";
  }

  function limit(input, name) {
    var raw = input.getAttribute(name);
    var value = raw ? parseInt(raw, 10) : NaN;
    return isNaN(value) || value <= 0 ? null : value;
  }

  function problemOf(input) {
    var files = input.files || [];
    var maxBytes = limit(input, "data-max-bytes");
    var maxTotal = limit(input, "data-max-total-bytes");
    var maxFiles = limit(input, "data-max-files");
    if (maxFiles !== null && files.length > maxFiles) {
      return ceT("一次最多上传 %(most)s 个文件，已选择 %(n)s 个，请分批上传", { most: maxFiles, n: files.length });
    }
    var total = 0;
    for (var i = 0; i < files.length; i += 1) {
      var file = files[i];
      if (maxBytes !== null && file.size > maxBytes) {
        return ceT("文件「%(name)s」有 %(size)s，超过每个文件 %(most)s 的大小限制，未上传；请压缩或拆分后重新选择", {
          name: file.name, size: mb(file.size), most: mb(maxBytes)
        });
      }
      if (file.size === 0) {
        return ceT("文件「%(name)s」是空文件，请重新选择", { name: file.name });
      }
      total += file.size;
    }
    if (maxTotal !== null && files.length > 1 && total > maxTotal) {
      return ceT("所选 %(n)s 个文件合计 %(size)s，一次上传合计不能超过 %(most)s，请分批上传", {
        n: files.length, size: mb(total), most: mb(maxTotal)
      });
    }
    return "";
  }

  function box(input) {
    var id = (input.id || input.name || "file") + "-upload-problem";
    var found = document.getElementById(id);
    if (found) { return found; }
    var el = document.createElement("div");
    el.id = id;
    el.className = "err text-danger small upload-problem";
    el.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", el);
    input.setAttribute("aria-describedby", id);
    return el;
  }

  function check(input) {
    var problem = problemOf(input);
    input.setCustomValidity(problem);
    input.classList.toggle("is-invalid", problem !== "");
    if (problem || document.getElementById((input.id || input.name || "file") + "-upload-problem")) {
      box(input).textContent = problem;
    }
    return problem;
  }

  var LIMITED = 'input[type="file"][data-max-bytes], input[type="file"][data-max-files]';

  function limited(root) { return root.querySelectorAll ? root.querySelectorAll(LIMITED) : []; }

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (input && input.matches && input.matches(LIMITED)) { check(input); }
  });

  // registered before the autosave script's handler (this file is included first)
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var blocked = false;
    Array.prototype.forEach.call(limited(form), function (input) {
      if (check(input)) { blocked = true; }
    });
    if (blocked) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();
