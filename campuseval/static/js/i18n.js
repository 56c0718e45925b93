/* The words the scripts show, in the page's language. base.html renders them as a JSON block
   (id "js-messages", from campuseval/shell/js_messages.py through the shell's js_messages tag):
   each Chinese message mapped to its translation. ceT("共 %(n)s 项", {n: 3}) gives the text with
   its placeholders filled, or the Chinese itself when the block lacks it. No inline script (CSP):
   the block is data, read here. */
(function () {
  "use strict";
  var words = {};
  var block = document.getElementById("js-messages");
  if (block) {
    try { words = JSON.parse(block.textContent) || {}; } catch (e) { words = {}; }
  }
  window.ceT = function (zh, values) {
    var text = Object.prototype.hasOwnProperty.call(words, zh) ? words[zh] : zh;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  };
}());
